// Start Redoc on the API docs page (templates/api/redoc.html) with drf-spectacular's settings.
const container = document.getElementById("redoc-container");
Redoc.init(container.dataset.schemaUrl, JSON.parse(container.dataset.settings), container);
