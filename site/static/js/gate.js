/*
 * Gate check-in: scan tickets with the phone's camera and admit them without a page load.
 *
 * The page works without this file (the typed code is a plain form POST). With it, the
 * typed code and every QR code the camera reads go to the JSON check-in, and the answer
 * replaces the result panel, which screen readers announce (aria-live). The camera uses
 * the browser's BarcodeDetector where it reads QR codes, else the vendored jsQR, loaded
 * only then. After each answer the camera ignores codes for a moment, so one ticket held
 * up is not checked twice.
 */
(function () {
  "use strict";

  var PAUSE_AFTER_RESULT_MS = 2000;
  var SCAN_EVERY_MS = 150;
  // Decoding a frame this wide is quick on a phone and still reads a ticket held to the camera.
  var JSQR_FRAME_PIXELS = 640;

  var root = document.querySelector("[data-gate]");
  if (!root || !window.fetch || !window.Promise) return;

  var text = root.dataset;
  var form = root.querySelector("[data-gate-form]");
  var input = form.querySelector("input[name=code]");
  var csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var panel = root.querySelector("[data-gate-result]");
  var parts = {
    label: panel.querySelector("[data-gate-label]"),
    message: panel.querySelector("[data-gate-message]"),
    collect: panel.querySelector("[data-gate-collect]"),
    ticket: panel.querySelector("[data-gate-ticket]"),
    group: panel.querySelector("[data-gate-group]"),
  };
  var counts = {
    expected: root.querySelector("[data-gate-expected]"),
    arrived: root.querySelector("[data-gate-arrived]"),
  };
  var camera = root.querySelector("[data-gate-camera]");
  var video = camera.querySelector("[data-gate-video]");
  var idle = camera.querySelector("[data-gate-idle]");
  var toggle = camera.querySelector("[data-gate-toggle]");

  var busy = false; // a check-in is on its way to the server
  var pausedUntil = 0; // the camera ignores codes until then
  var stream = null;
  var readCode = null; // function(video) -> Promise of the QR text or null
  var timer = null;

  function failure(message) {
    return { result: "error", label: text.errorLabel, message: message };
  }

  function show(answer) {
    panel.className = "gate-result gate-result--" + (answer.result || "error");
    // Emptied first, so that the same words twice running are announced twice.
    Object.keys(parts).forEach(function (key) {
      parts[key].textContent = "";
    });
    window.setTimeout(function () {
      parts.label.textContent = answer.label || text.errorLabel;
      parts.message.textContent = answer.message || "";
      parts.collect.textContent = answer.collect_text || "";
      parts.collect.hidden = !answer.collect_text;
      parts.ticket.textContent = answer.ticket ? answer.ticket.summary : "";
      parts.ticket.hidden = !answer.ticket;
      parts.group.textContent = answer.group_text || "";
      parts.group.hidden = !answer.group_text;
    }, 50);
    if (typeof answer.expected === "number") counts.expected.textContent = answer.expected;
    if (typeof answer.arrived === "number") counts.arrived.textContent = answer.arrived;
    if (navigator.vibrate) navigator.vibrate(answer.result === "valid" ? 150 : [150, 100, 150, 100, 150]);
  }

  function checkIn(payload) {
    busy = true;
    return fetch(text.checkInUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken,
      },
      body: JSON.stringify({ payload: payload }),
    })
      .then(function (response) {
        return response.json().catch(function () {
          // Not JSON: the CSRF check or the sign-in refused it, or a proxy answered.
          return failure(response.status === 403 ? text.forbiddenText : text.errorText);
        });
      })
      .catch(function () {
        return failure(text.errorText);
      })
      .then(function (answer) {
        show(answer);
        pausedUntil = Date.now() + PAUSE_AFTER_RESULT_MS;
        busy = false;
      });
  }

  form.addEventListener("submit", function (event) {
    var value = input.value.trim();
    if (!value) return; // the server explains what is missing
    event.preventDefault();
    if (busy) return;
    checkIn(value).then(function () {
      input.value = "";
      input.focus();
    });
  });

  // --- camera -------------------------------------------------------------------------

  if (!(window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
    return; // no camera here (or not over HTTPS): typing the code is the way
  }
  camera.hidden = false;

  function jsqrReader() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return function (frame) {
      var width = frame.videoWidth;
      var height = frame.videoHeight;
      if (!width || !height) return Promise.resolve(null);
      var scale = Math.min(1, JSQR_FRAME_PIXELS / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(frame, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: "dontInvert",
      });
      return Promise.resolve(code ? code.data : null);
    };
  }

  function loadJsqr() {
    if (window.jsQR) return Promise.resolve(jsqrReader());
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = text.jsqrSrc;
      script.onload = function () {
        resolve(jsqrReader());
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function loadReader() {
    if (readCode) return Promise.resolve(readCode);
    if (!("BarcodeDetector" in window)) return loadJsqr();
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") === -1) return loadJsqr();
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (frame) {
          return detector.detect(frame).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      })
      .catch(loadJsqr);
  }

  function scan() {
    if (!stream) return;
    var ready = !busy && Date.now() >= pausedUntil && video.readyState >= 2;
    (ready ? readCode(video) : Promise.resolve(null))
      .then(function (payload) {
        if (payload && stream && !busy && Date.now() >= pausedUntil) return checkIn(payload);
      })
      .catch(function () {
        // An unreadable frame: try the next one.
      })
      .then(function () {
        if (stream) timer = window.setTimeout(scan, SCAN_EVERY_MS);
      });
  }

  function stop() {
    window.clearTimeout(timer);
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    idle.hidden = false;
    toggle.textContent = text.startText;
  }

  function start() {
    toggle.disabled = true;
    var opened = navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
    Promise.all([opened, loadReader()])
      .then(function (results) {
        stream = results[0];
        readCode = results[1];
        video.srcObject = stream;
        return video.play();
      })
      .then(function () {
        idle.hidden = true;
        toggle.textContent = text.stopText;
        scan();
      })
      .catch(function () {
        opened
          .then(function (media) {
            media.getTracks().forEach(function (track) {
              track.stop();
            });
          })
          .catch(function () {});
        stop();
        show(failure(text.cameraErrorText));
      })
      .then(function () {
        toggle.disabled = false;
      });
  }

  toggle.addEventListener("click", function () {
    if (stream) stop();
    else start();
  });
  // A camera left running in a pocket drains the battery; start it again on return.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stop();
  });
})();
