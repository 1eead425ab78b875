"""The language-model extractor ``llm.v1`` (``pip install 'peacetrack[llm]'``).

It asks any OpenAI-compatible chat endpoint (a hosted provider, Ollama, vLLM, llama.cpp's
server, LM Studio) to code a report by the claim guideline, then keeps only claims whose
evidence it can place in the document's own words.
"""

from peacetrack.extract.llm.extractor import LLMExtractor, llm_v1
from peacetrack.extract.llm.settings import LLMSettings, LLMSettingsError, resolve_settings

__all__ = ["LLMExtractor", "LLMSettings", "LLMSettingsError", "llm_v1", "resolve_settings"]
