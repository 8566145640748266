// The review workspace: searching the transcript (matches highlighted, Enter jumps to the next
// one and the recording with it) and choosing the turn a comment is about by clicking it.
"use strict";

(function () {
  const audio = document.getElementById("player");
  const turns = Array.from(document.querySelectorAll("#transcript .turn"));
  const box = document.getElementById("transcript-search");
  const count = document.getElementById("search-count");
  let matches = [];
  let current = -1;

  function clearMarks(turn) {
    const text = turn.querySelector(".text");
    if (text && text.querySelector("mark")) text.textContent = text.textContent;
    turn.classList.remove("match", "match-current");
  }

  // Wraps each occurrence in <mark>, built from text nodes: the transcript is never parsed as HTML.
  function mark(turn, needle) {
    const text = turn.querySelector(".text");
    const content = text.textContent;
    const lower = content.toLowerCase();
    let at = lower.indexOf(needle);
    if (at < 0) return false;
    const parts = document.createDocumentFragment();
    let from = 0;
    while (at >= 0) {
      parts.appendChild(document.createTextNode(content.slice(from, at)));
      const found = document.createElement("mark");
      found.textContent = content.slice(at, at + needle.length);
      parts.appendChild(found);
      from = at + needle.length;
      at = lower.indexOf(needle, from);
    }
    parts.appendChild(document.createTextNode(content.slice(from)));
    text.replaceChildren(parts);
    turn.classList.add("match");
    return true;
  }

  function search() {
    const needle = box.value.trim().toLowerCase();
    turns.forEach(clearMarks);
    matches = needle ? turns.filter(function (turn) { return mark(turn, needle); }) : [];
    current = -1;
    count.textContent = !needle ? "" : matches.length
      ? count.dataset.some.replace("%d", String(matches.length)) : count.dataset.none;
  }

  function next(step) {
    if (!matches.length) return;
    if (current >= 0) matches[current].classList.remove("match-current");
    current = (current + step + matches.length) % matches.length;
    const turn = matches[current];
    turn.classList.add("match-current");
    turn.scrollIntoView({ block: "nearest" });
    if (audio) audio.currentTime = parseFloat(turn.dataset.start);
  }

  if (box) {
    box.addEventListener("input", search);
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      next(event.shiftKey ? -1 : 1);
    });
  }

  // Clicking a turn (which also seeks there) makes it the one a new comment is about.
  const choice = document.getElementById("new-turn");
  if (choice) {
    document.addEventListener("click", function (event) {
      const turn = event.target.closest("#transcript .turn");
      if (!turn) return;
      choice.value = turn.id.replace("turn-", "");
      turns.forEach(function (t) { t.classList.toggle("chosen", t === turn); });
    });
  }
})();
