"""What the speech endpoints answer."""

from pydantic import BaseModel

from services.types import UtcDatetime


class VoiceprintOut(BaseModel):
    """That an agent has a voiceprint, and how it was made; never the print itself."""

    agent_id: str
    speech_s: float
    enrolled_by: str
    enrolled_at: UtcDatetime
