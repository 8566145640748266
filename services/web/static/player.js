// The player on call, review, evaluation and dispute pages: clicking a turn, a hit or the
// timeline seeks the recording there; while it plays the current turn is highlighted; the
// keyboard reviews a call without the mouse. No inline script: the page's CSP forbids it.
"use strict";

(function () {
  const audio = document.getElementById("player");
  const turns = Array.from(document.querySelectorAll("#transcript .turn"));
  const hits = Array.from(document.querySelectorAll(".hit[data-hit]"));
  let hitIndex = -1;

  function seek(seconds) {
    if (!audio || Number.isNaN(seconds)) return;
    audio.currentTime = Math.max(0, seconds);
  }

  // Every element with data-seek jumps there (turns, hits, timeline segments).
  document.addEventListener("click", function (event) {
    const target = event.target.closest("[data-seek]");
    if (!target || event.target.closest("input, label, textarea, a")) return;
    event.preventDefault();
    seek(parseFloat(target.dataset.seek));
    const hit = target.closest(".hit[data-hit]");
    if (hit) hitIndex = hits.indexOf(hit);
  });

  // The timeline: each stretch placed by its share of the call.
  const timeline = document.getElementById("timeline");
  if (timeline) {
    const total = parseFloat(timeline.closest("[data-duration]").dataset.duration) || 1;
    timeline.querySelectorAll(".seg").forEach(function (seg) {
      const start = parseFloat(seg.dataset.start);
      const end = parseFloat(seg.dataset.end);
      seg.style.left = (100 * start / total) + "%";
      seg.style.width = Math.max(0.3, 100 * (end - start) / total) + "%";
    });
  }

  function highlight() {
    const now = audio.currentTime;
    turns.forEach(function (turn) {
      const on = now >= parseFloat(turn.dataset.start) && now < parseFloat(turn.dataset.end);
      if (on && !turn.classList.contains("current")) {
        turn.classList.add("current");
        turn.setAttribute("aria-current", "true");
        turn.scrollIntoView({ block: "nearest" });
      } else if (!on && turn.classList.contains("current")) {
        turn.classList.remove("current");
        turn.removeAttribute("aria-current");
      }
    });
  }
  if (audio) {
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
  }

  function focusHit(step) {
    if (!hits.length) return;
    hitIndex = (hitIndex + step + hits.length) % hits.length;
    const hit = hits[hitIndex];
    hits.forEach(function (h) { h.classList.toggle("focused", h === hit); });
    hit.scrollIntoView({ block: "nearest" });
    const button = hit.querySelector("[data-seek]");
    if (button) seek(parseFloat(button.dataset.seek));
  }

  function judge(value) {
    const hit = hits[hitIndex];
    if (!hit) return;
    const choice = hit.querySelector("input[type=radio][value=" + value + "]");
    if (choice && !choice.disabled) {
      choice.checked = true;
      choice.dispatchEvent(new Event("change", { bubbles: true }));
    }
    const note = hit.querySelector("input.note");
    if (value === "reject" && note) note.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select, button") || event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = {
      " ": function () { if (audio) { if (audio.paused) audio.play(); else audio.pause(); } },
      ArrowLeft: function () { if (audio) seek(audio.currentTime - 5); },
      ArrowRight: function () { if (audio) seek(audio.currentTime + 5); },
      j: function () { focusHit(1); },
      k: function () { focusHit(-1); },
      c: function () { judge("confirm"); },
      r: function () { judge("reject"); },
    };
    const action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  // A rejection needs its reason: the browser asks for it before the form is sent.
  document.addEventListener("change", function (event) {
    const choice = event.target.closest(".hit input[type=radio]");
    if (!choice) return;
    const note = choice.closest(".hit").querySelector("input.note");
    if (note) note.required = choice.value === "reject" && choice.checked;
  });

  // The dispute window, counting down.
  document.querySelectorAll(".countdown[data-seconds]").forEach(function (el) {
    const ends = Date.now() + 1000 * parseInt(el.dataset.seconds, 10);
    function tick() {
      const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      const d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      const m = Math.floor(left % 3600 / 60), s = left % 60;
      const days = (el.dataset.days || "%d d").replace("%d", String(d));
      el.textContent = (d ? days + " " : "") + String(h).padStart(2, "0") + ":" +
        String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    }
    tick();
    setInterval(tick, 1000);
  });
})();
