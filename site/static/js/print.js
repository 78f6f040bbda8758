/*
 * Print buttons: a button marked data-print opens the browser's print dialog. A file of its
 * own rather than an onclick attribute, which the Content-Security-Policy does not run.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
})();
