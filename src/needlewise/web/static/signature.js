// needlewise: the consent signature pad. Drawing on the canvas (finger, pen or mouse) writes the
// signature as a PNG data URL into the form's hidden "signature_data" field. Without this script the
// canvas stays hidden and the paper path (print, sign, upload the scan) is the way to sign.
(function () {
  "use strict";

  function point(canvas, event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  }

  function wirePad(pad) {
    if (pad.dataset.wired === "1") {
      return;
    }
    pad.dataset.wired = "1";
    const canvas = pad.querySelector("[data-signature-canvas]");
    const field = pad.querySelector("[data-signature-data]");
    const clear = pad.querySelector("[data-signature-clear]");
    const note = pad.querySelector("[data-signature-nojs]");
    const drawn = document.getElementById("method-drawn");
    const context = canvas.getContext("2d");
    let drawing = false;
    let inked = false;

    canvas.hidden = false;
    clear.hidden = false;
    note.hidden = true;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      const at = point(canvas, event);
      context.beginPath();
      context.moveTo(at.x, at.y);
      context.lineTo(at.x + 0.1, at.y + 0.1);
      context.stroke();
      inked = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) {
        return;
      }
      const at = point(canvas, event);
      context.lineTo(at.x, at.y);
      context.stroke();
    });
    const finish = () => {
      if (!drawing) {
        return;
      }
      drawing = false;
      field.value = inked ? canvas.toDataURL("image/png") : "";
      if (drawn) {
        drawn.checked = true;
      }
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    clear.addEventListener("click", () => {
      context.clearRect(0, 0, canvas.width, canvas.height);
      field.value = "";
      inked = false;
    });
  }

  function wire() {
    for (const pad of document.querySelectorAll("[data-signature-pad]")) {
      wirePad(pad);
    }
  }

  if (!window.needlewiseSignaturePad) {
    window.needlewiseSignaturePad = true;
    document.addEventListener("DOMContentLoaded", wire);
    document.addEventListener("htmx:afterSettle", wire);
  }
  if (document.readyState !== "loading") {
    wire();
  }
})();
