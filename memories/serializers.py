"""Memory input and output. Input serializers read the acting user from `context["user"]`, so
the assistant's tools validate with exactly these classes."""

from rest_framework import serializers

from config.fields import iso_datetime
from memories.models import TEXT_MAX_LENGTH, Memory


class MemorySerializer(serializers.ModelSerializer):
    source = serializers.CharField(
        read_only=True, help_text="Who saved it: api, assistant, admin or system."
    )

    class Meta:
        model = Memory
        fields = ["id", "text", "source", "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, memory: Memory) -> dict:
        return {
            "id": str(memory.pk),
            "text": memory.text,
            "source": memory.source,
            "created_at": iso_datetime(memory.created_at),
            "updated_at": iso_datetime(memory.updated_at),
        }


class MemoryInputSerializer(serializers.Serializer):
    """Body of POST /memories and PATCH /memories/{id}, and the `remember` tool's argument."""

    text = serializers.CharField(
        max_length=TEXT_MAX_LENGTH,
        help_text=f"A short fact about you, 1-{TEXT_MAX_LENGTH} characters (trimmed).",
    )
