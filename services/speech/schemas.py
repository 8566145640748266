"""What the speech endpoints answer."""

from datetime import datetime

from pydantic import BaseModel


class VoiceprintOut(BaseModel):
    """That an agent has a voiceprint, and how it was made; never the print itself."""

    agent_id: str
    speech_s: float
    enrolled_by: str
    enrolled_at: datetime
