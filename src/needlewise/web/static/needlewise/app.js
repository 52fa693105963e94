// needlewise: the only script besides htmx. Shows the print button (it needs JavaScript).
document.addEventListener("DOMContentLoaded", wire);
document.addEventListener("htmx:afterSettle", wire);
function wire() {
  for (const button of document.querySelectorAll(".print-button")) {
    button.hidden = false;
    button.onclick = () => window.print();
  }
}
