/* Check-in at the door (events/checkin.html): "Scan QR code" with the browser's own BarcodeDetector and the
 * camera (getUserMedia). Where the browser has neither, the button stays hidden and the page says to use the
 * phone's camera app, which opens the guest's check-in page itself. Only a check-in URL of this site is
 * followed (the prefix comes from the page: data-checkin-prefix). No dependencies; loaded as a file (CSP).
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-checkin-scan]");
  if (!box) {
    return;
  }
  var start = box.querySelector("[data-checkin-scan-start]");
  var video = box.querySelector("[data-checkin-scan-video]");
  var prefix = box.getAttribute("data-checkin-prefix") || "";
  var supported =
    "BarcodeDetector" in window &&
    navigator.mediaDevices &&
    typeof navigator.mediaDevices.getUserMedia === "function";
  if (!supported || !start || !video) {
    return;
  }

  function isCheckinUrl(text) {
    var url;
    try {
      url = new URL(text);
    } catch (error) {
      return false;
    }
    var path = /^\/events\/checkin\/[A-Za-z0-9_-]+\/$/;
    var ours = text.indexOf(prefix) === 0 || url.origin === window.location.origin;
    return ours && path.test(url.pathname) && !url.search && !url.hash;
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) {
      return;
    }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    start.hidden = false;
    var stream = null;

    function stop() {
      if (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
        stream = null;
      }
      video.hidden = true;
    }

    function scan() {
      if (!stream) {
        return;
      }
      detector
        .detect(video)
        .then(function (codes) {
          for (var i = 0; i < codes.length; i += 1) {
            if (isCheckinUrl(codes[i].rawValue)) {
              stop();
              window.location.assign(codes[i].rawValue);
              return;
            }
          }
          window.setTimeout(scan, 250);
        })
        .catch(function () {
          window.setTimeout(scan, 500);
        });
    }

    start.addEventListener("click", function () {
      if (stream) {
        stop();
        return;
      }
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          return video.play();
        })
        .then(scan)
        .catch(function () {
          stop();
        });
    });
    window.addEventListener("pagehide", stop);
  });
})();
