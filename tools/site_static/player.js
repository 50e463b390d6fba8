// The course's frame players: an explorer replayed from frames drawn when the site was
// built (tools/players.py). No library, no network: the frames are in the page.
// Keys: the slider moves with the arrow keys (Home/End: first/last frame); the buttons
// with Enter or Space.
(function () {
  "use strict";

  function setUp(player) {
    var frames = JSON.parse(player.querySelector(".course-player-frames").textContent);
    var controls = player.querySelector(".course-player-controls");
    var image = player.querySelector(".course-player-picture img");
    var line = player.querySelector(".course-player-line code");
    var scrub = player.querySelector(".course-player-scrub input");
    var label = player.querySelector(".course-player-label");
    var play = player.querySelector(".course-player-play");
    var speed = player.querySelector(".course-player-speed select");
    var index = Number(player.dataset.start) || 0;
    var timer = null;

    function show(i) {
      index = Math.max(0, Math.min(frames.length - 1, i));
      var frame = frames[index];
      if (image && frame.src) {
        image.src = frame.src;
        image.alt = frame.alt;
      }
      line.textContent = frame.line;
      label.textContent = frame.label;
      scrub.value = String(index);
      scrub.setAttribute("aria-valuetext", frame.label);
    }

    function stop() {
      if (timer !== null) {
        clearInterval(timer);
        timer = null;
      }
      play.innerHTML = "&#9654; Play";
      play.setAttribute("aria-label", "Play");
    }

    function start() {
      if (index >= frames.length - 1) show(0);  // from the end, play again from the start
      play.innerHTML = "&#10074;&#10074; Pause";
      play.setAttribute("aria-label", "Pause");
      timer = setInterval(function () {
        if (index >= frames.length - 1) stop();
        else show(index + 1);
      }, 1000 / Number(speed.value));
    }

    play.addEventListener("click", function () {
      if (timer === null) start(); else stop();
    });
    player.querySelector(".course-player-back").addEventListener("click", function () {
      stop();
      show(index - 1);
    });
    player.querySelector(".course-player-next").addEventListener("click", function () {
      stop();
      show(index + 1);
    });
    scrub.addEventListener("input", function () {
      stop();
      show(Number(scrub.value));
    });
    speed.addEventListener("change", function () {
      if (timer !== null) { stop(); start(); }
    });
    show(index);
    controls.hidden = false;  // only now do the controls do something
    player.classList.add("course-player-ready");
  }

  function setUpAll() {
    document.querySelectorAll(".course-player").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
