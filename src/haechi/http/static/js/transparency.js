// Fit the transparency report's frame to its content, so the page scrolls once, not twice.
// The frame is sandboxed without scripts; without this file it keeps a fixed height and scrolls.
(function () {
  "use strict";
  function fit(frame) {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement) {
      frame.style.height = doc.documentElement.scrollHeight + 24 + "px";
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("iframe.report").forEach(function (frame) {
      frame.addEventListener("load", function () { fit(frame); });
      if (frame.contentDocument && frame.contentDocument.readyState === "complete") { fit(frame); }
    });
  });
})();
