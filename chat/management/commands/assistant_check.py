"""Check the model configuration: one streamed request with the assistant's tools.

    manage.py assistant_check ["¿qué puedes hacer?"]

Prints the text as it streams, the tool calls the model asked for (not run), the model name
and the token usage. Nothing is stored. Exit status 1 when the server cannot be used.
"""

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chat import tools
from config import llm


class Command(BaseCommand):
    help = "Send one message to the configured OpenAI-compatible server and show the answer."

    def add_arguments(self, parser):
        parser.add_argument("message", nargs="?", default="Crea una tarea llamada Prueba.")

    def handle(self, *args, **options):
        if not llm.is_configured():
            raise CommandError("OPENAI_API_KEY is not set: the assistant is unavailable.")
        self.stdout.write(
            f"server: {settings.OPENAI_BASE_URL or 'https://api.openai.com/v1'}  "
            f"model: {settings.OPENAI_MODEL}"
        )
        try:
            completion = asyncio.run(self._stream(options["message"]))
        except llm.LLMError as exc:
            raise CommandError(f"{exc.__class__.__name__}: {exc}") from exc
        self.stdout.write("")
        for call in completion.tool_calls:
            self.stdout.write(f"tool call: {call.name}({call.arguments})")
        self.stdout.write(
            f"finish: {completion.finish_reason}  model: {completion.model}  "
            f"tokens: {completion.prompt_tokens} in / {completion.completion_tokens} out"
        )
        self.stdout.write(self.style.SUCCESS("OK"))

    async def _stream(self, message: str) -> llm.Completion:
        messages = [
            {"role": "system", "content": "You are a follow-up assistant with tools."},
            {"role": "user", "content": message},
        ]
        completion = llm.Completion()
        async for item in llm.stream_chat(messages=messages, tools=tools.schemas()):
            if isinstance(item, llm.TextDelta):
                self.stdout.write(item.text, ending="")
                self.stdout.flush()
            else:
                completion = item
        return completion
