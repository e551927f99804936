"""Serializers of the patent corpus that other apps' APIs reuse."""

from rest_framework import serializers


class PatentBriefSerializer(serializers.Serializer):
    """A corpus patent where another object names it (an inventory line, a pool patent in a deal,
    an open licence or a roadshow): the API's one brief shape of a patent."""

    publication_number = serializers.CharField()
    application_number = serializers.CharField()
    title = serializers.CharField()
    patent_type = serializers.CharField()
    legal_status = serializers.CharField()
