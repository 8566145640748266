"""Speaker separation of a mono recording: speech split where the voice changes, two voices.

Speech regions (the same voice activity detection the speech stage uses) are cut again inside
long regions where the voice changes (two parties answering each other within a breath share
one region), every piece is embedded with the voice encoder in ``models/speaker`` and the
pieces are clustered into two voices (agglomerative, cosine, scikit-learn); long pieces are then
cut again where short windows lean to the other voice. Who is the agent is decided afterwards,
from what each voice says (``services/speech/roles.py``).
"""

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from models.speaker import encoder
from services.speech.audio import SAMPLE_RATE

# Regions longer than this may hold a change of speaker; shorter ones are one utterance.
LONG_REGION_S = 2.0
# Change points: the voice in the WINDOW_S before a moment against the WINDOW_S after it,
# compared every STEP_S; a cosine distance above CHANGE_DISTANCE at a local peak is a change.
WINDOW_S = 1.5
STEP_S = 0.25
CHANGE_DISTANCE = 0.3
MIN_PIECE_S = 1.0  # no change point closer than this to another or to a region's edge
# A change found between two windows is moved to the quietest moment this close to it: the
# breath between two voices (the windows place it only to within a few tenths of a second).
SNAP_S = 0.25
# Two voices are told apart when the pieces sit clearly closer to their own voice than to the
# other (silhouette, cosine): two people score about 0.5, one voice split in two about 0.15.
MIN_SILHOUETTE = 0.3
# Second pass: 1 s windows against each voice; a run of one voice shorter than
# RESEGMENT_MIN_S is not a change of speaker.
RESEGMENT_WINDOW_S = 1.0
RESEGMENT_MIN_S = 0.5
RELIABLE_PIECE_S = 1.0  # shorter pieces are too short to cluster; they join the nearer voice


@dataclass
class Piece:
    """A stretch of speech by one voice."""

    start: float
    end: float
    voice: int = 0  # 0 or 1

    @property
    def duration(self) -> float:
        """Seconds of speech."""
        return self.end - self.start


@dataclass
class Separation:
    """The recording's speech, split and labelled by voice."""

    pieces: list[Piece]
    silhouette: float  # how well the pieces fall into two voices; 0.0 with one voice
    voices: np.ndarray | None = None  # the two voices' centroids (unit length), rows 0 and 1

    @property
    def separable(self) -> bool:
        """Whether two voices were told apart."""
        return self.silhouette >= MIN_SILHOUETTE


def _clip(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    return samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]


def _voice(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    """The embedding of a stretch of speech brought to one level first.

    The encoder reads mel power, not its logarithm, and Resemblyzer only raises quiet speech:
    without this, a louder recording of the same call splits differently.
    """
    clip = _clip(samples, start, end)
    rms = float(np.sqrt(np.mean(np.square(clip, dtype=np.float64)))) if clip.size else 0.0
    if rms > 0:
        clip = clip * np.float32(10 ** (encoder.TARGET_DBFS / 20) / rms)
    return encoder.embed(clip)


def _quietest(samples: np.ndarray, around: float) -> float:
    """The quietest 10 ms within SNAP_S of ``around``: where one voice gives way to the other."""
    begin = max(0.0, around - SNAP_S)
    frames = _clip(samples, begin, around + SNAP_S)
    hop = SAMPLE_RATE // 100
    energy = [float(np.sum(np.square(frames[i : i + hop]))) for i in range(0, len(frames), hop)]
    return begin + int(np.argmin(energy)) / 100 if energy else around


def change_points(samples: np.ndarray, start: float, end: float) -> list[float]:
    """Moments inside one speech region where the voice changes."""
    lag = round(WINDOW_S / STEP_S)
    moments = np.arange(start + MIN_PIECE_S, end - MIN_PIECE_S + 1e-9, STEP_S)
    if len(moments) == 0:
        return []
    embedded: dict[tuple[float, float], np.ndarray] = {}  # a window before t is one after t - W

    def voice(a: float, b: float) -> np.ndarray:
        key = (round(a, 3), round(b, 3))
        if key not in embedded:
            embedded[key] = _voice(samples, a, b)
        return embedded[key]

    distance = [
        1.0 - float(voice(max(start, t - WINDOW_S), t) @ voice(t, min(end, t + WINDOW_S)))
        for t in moments
    ]
    found: list[float] = []
    for i in np.argsort(distance)[::-1]:  # strongest changes first
        t = float(moments[i])
        if distance[i] < CHANGE_DISTANCE:
            break
        if all(abs(t - other) >= MIN_PIECE_S for other in found) and _is_peak(distance, i, lag):
            found.append(_quietest(samples, t))
    return sorted(found)


def _is_peak(values: list[float], i: int, reach: int) -> bool:
    around = values[max(0, i - reach) : i + reach + 1]
    return values[i] >= max(around)


def split(samples: np.ndarray, regions: list[tuple[float, float]]) -> list[Piece]:
    """The speech regions, long ones cut where the voice changes."""
    pieces = []
    for start, end in regions:
        cuts = change_points(samples, start, end) if end - start > LONG_REGION_S else []
        edges = [start, *cuts, end]
        pieces += [Piece(a, b) for a, b in pairwise(edges)]
    return pieces


def _centroid(embeddings: np.ndarray, weights: np.ndarray) -> np.ndarray:
    mean = (embeddings * weights[:, None]).sum(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def cluster(embeddings: np.ndarray, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Two voices: each piece's voice (0 or 1), the voices' centroids, how well they separate."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    reliable = np.flatnonzero(durations >= RELIABLE_PIECE_S)
    if len(reliable) < 2:
        reliable = np.arange(len(durations))
    if len(reliable) < 2:
        return np.zeros(len(durations), dtype=int), embeddings[:1], 0.0
    first = AgglomerativeClustering(n_clusters=2, metric="cosine", linkage="average")
    labels = first.fit_predict(embeddings[reliable])
    sure, weights = embeddings[reliable], durations[reliable]
    centroids = np.stack([_centroid(sure[labels == k], weights[labels == k]) for k in (0, 1)])
    # Every piece, short ones included, goes to the nearer voice; the voices are then re-centred
    # once on all their speech.
    voices = np.argmax(embeddings @ centroids.T, axis=1)
    if len(set(voices.tolist())) == 2:
        centroids = np.stack(
            [_centroid(embeddings[voices == k], durations[voices == k]) for k in (0, 1)]
        )
        voices = np.argmax(embeddings @ centroids.T, axis=1)
    if not 2 <= len(set(voices.tolist())) < len(voices):
        return voices, centroids, 0.0
    return voices, centroids, float(silhouette_score(embeddings, voices, metric="cosine"))


def resegment(samples: np.ndarray, piece: Piece, centroids: np.ndarray) -> list[Piece]:
    """A long piece cut where its voice changes, judged against the two voices themselves.

    A short window against a voice heard over the whole call is a far surer judge than two
    short windows against each other, so this finds the changes the first pass missed (a one-
    second answer between two long sentences).
    """
    if piece.duration <= 2 * RESEGMENT_MIN_S:
        return [piece]
    moments = np.arange(piece.start + STEP_S / 2, piece.end, STEP_S)
    half = RESEGMENT_WINDOW_S / 2
    windows = np.stack(
        [_voice(samples, max(piece.start, t - half), min(piece.end, t + half)) for t in moments]
    )
    leaning = windows @ centroids[1] - windows @ centroids[0]
    voices = (leaning > 0).astype(int)  # 1 where the second voice is nearer
    runs = _runs(voices)
    # Runs too short to be an utterance join their neighbour.
    shortest = int(RESEGMENT_MIN_S / STEP_S)
    while len(runs) > 1 and min(b - a for a, b, _ in runs) < shortest:
        i = min(range(len(runs)), key=lambda k: runs[k][1] - runs[k][0])
        voices[runs[i][0] : runs[i][1]] = 1 - runs[i][2]
        runs = _runs(voices)
    edges = [piece.start]
    edges += [_quietest(samples, piece.start + a * STEP_S) for a, _b, _v in runs[1:]]
    edges.append(piece.end)
    return [Piece(a, b, v) for (a, b), (_s, _e, v) in zip(pairwise(edges), runs, strict=True)]


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(first, past-last, label) of each run of equal labels."""
    cuts = [0, *(np.flatnonzero(np.diff(labels)) + 1).tolist(), len(labels)]
    return [(a, b, int(labels[a])) for a, b in pairwise(cuts)]


def separate(samples: np.ndarray, regions: list[tuple[float, float]]) -> Separation:
    """Splits a mono recording's speech into two voices."""
    pieces = split(samples, regions)
    if not pieces:
        return Separation([], 0.0)
    embeddings = np.stack([_voice(samples, p.start, p.end) for p in pieces])
    voices, centroids, silhouette = cluster(embeddings, np.array([p.duration for p in pieces]))
    for piece, voice in zip(pieces, voices, strict=True):
        piece.voice = int(voice)
    separation = Separation(pieces, silhouette, centroids if len(centroids) == 2 else None)
    if separation.separable:
        separation.pieces = [new for p in pieces for new in resegment(samples, p, centroids)]
    return separation


def voiceprint(samples: np.ndarray, regions: list[tuple[float, float]]) -> np.ndarray:
    """One voice's print: its speech embedded region by region, averaged by duration."""
    kept = [(a, b) for a, b in regions if b - a >= RELIABLE_PIECE_S] or regions
    embeddings = np.stack([_voice(samples, a, b) for a, b in kept])
    return _centroid(embeddings, np.array([b - a for a, b in kept]))
