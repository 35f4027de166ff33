// The upload page: Uppy's Dashboard sends files and whole folders to the portal's tus endpoint,
// Golden Retriever brings unfinished uploads back after a reload, and the file table refreshes
// as uploads finish. The page works without this script, except for uploading.
(function () {
  "use strict";

  const MiB = 1024 * 1024;
  const target = document.getElementById("uppy-dashboard");
  const status = document.getElementById("upload-status");

  // Delete buttons post a form; without a confirmation here the server asks on a page of its own.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains("delete-file")) return;
    if (!window.confirm("Delete " + form.dataset.path + " from your upload area? This cannot be undone.")) {
      event.preventDefault();
      return;
    }
    const confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "yes";
    form.appendChild(confirmed);
  });

  if (!target || !window.Uppy) return;
  const { Uppy, Dashboard, Tus, GoldenRetriever } = window.Uppy;
  const settings = target.dataset;

  const uppy = new Uppy({
    // Golden Retriever keeps its state under this id: one per user, so that people sharing
    // a browser never see (or try to resume) each other's uploads.
    id: "upload-area-" + settings.user,
    autoProceed: false,
    restrictions: { maxFileSize: Number(settings.maxFileBytes) },
  });

  uppy.use(Dashboard, {
    target: target,
    inline: true,
    width: "100%",
    height: 360,
    fileManagerSelectionType: "both",
    proudlyDisplayPoweredByUppy: false,
    showRemoveButtonAfterComplete: false,
    note: "Files or whole folders; the folder structure is kept.",
  });

  uppy.use(Tus, {
    endpoint: settings.tusEndpoint,
    chunkSize: Number(settings.chunkBytes),
    // Dropped connections are retried, then the upload waits for the user to resume it.
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
    headers: { "X-CSRFToken": settings.csrfToken },
    // relativePath carries the folder structure; the server takes the file name when it is null.
    allowedMetaFields: ["name", "type", "relativePath"],
    limit: 4,
    removeFingerprintOnSuccess: true,
  });

  uppy.use(GoldenRetriever, {
    expires: 7 * 24 * 60 * 60 * 1000,
    // Files up to this size are kept in the browser and resume by themselves after a reload;
    // larger ones are listed and resume from the server's offset once added again.
    indexedDB: { maxFileSize: 128 * MiB, maxTotalSize: 1024 * MiB },
  });

  function announce(message, tone) {
    if (!status) return;
    status.textContent = message;
    status.className = "alert alert-" + tone + " mt-3";
  }

  // Re-read the quota bar and the file table from the server, keeping the current filter and page.
  let refreshing = null;
  function refreshListing() {
    if (refreshing) return refreshing;
    refreshing = fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        ["upload-quota", "upload-files"].forEach(function (id) {
          const current = document.getElementById(id);
          const replacement = fresh.getElementById(id);
          if (current && replacement) current.replaceWith(document.importNode(replacement, true));
        });
      })
      .catch(function (error) {
        uppy.log("[uploads] could not refresh the file table: " + error, "warning");
      })
      .finally(function () {
        refreshing = null;
      });
    return refreshing;
  }

  // A long folder upload refreshes the table every few seconds, not once per file.
  let pending = null;
  uppy.on("upload-success", function () {
    if (pending) return;
    pending = window.setTimeout(function () {
      pending = null;
      refreshListing();
    }, 5000);
  });

  uppy.on("complete", function (result) {
    window.clearTimeout(pending);
    pending = null;
    const done = result.successful ? result.successful.length : 0;
    const failed = result.failed ? result.failed.length : 0;
    if (!done && !failed) return;
    const plural = function (count) {
      return count + " file" + (count === 1 ? "" : "s");
    };
    if (failed) {
      announce(plural(done) + " uploaded; " + plural(failed) + " failed: retry them above.", "warning");
    } else {
      announce(plural(done) + " uploaded. They are listed below with their deletion dates.", "success");
    }
    refreshListing().then(function () {
      // The table now lists the finished files: empty the Dashboard (as its Done button does), so
      // that it holds only work still to do, and a reload restores only unfinished uploads.
      if (!failed) uppy.clear();
    });
  });
})();
