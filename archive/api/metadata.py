"""What OPTIONS answers on the API (DRF's DEFAULT_METADATA_CLASS)."""

from rest_framework.metadata import SimpleMetadata


class APIMetadata(SimpleMetadata):
    """DRF's description of a view (name, description, renderers, parsers, input fields), for every API view.

    DRF describes the input of POST and PUT through the view's `get_serializer`,
    which fails on a generic view that picks its serializers per method instead
    of naming a `serializer_class` (it uses the generic view for paging only).
    Such a view is described without `actions`; /api/schema/ documents its input.
    """

    def determine_actions(self, request, view):
        # Imported here: DRF reads this setting while rest_framework.views, which generics imports, loads.
        from rest_framework.generics import GenericAPIView

        picks_per_method = (
            isinstance(view, GenericAPIView)
            and view.serializer_class is None
            and type(view).get_serializer_class is GenericAPIView.get_serializer_class
        )
        return {} if picks_per_method else super().determine_actions(request, view)
