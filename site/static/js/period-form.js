/*
 * The report's period form: only the inputs of the chosen kind of period are shown (a year;
 * a year and a quarter; a year and a month; two dates). The page already hides the others
 * for the kind it was drawn with, and the server ignores them, so without this script the
 * form still works: choose the kind, press "Show", and its inputs appear.
 */
(function () {
  "use strict";
  function update(form) {
    var period = form.querySelector("select[name=period]");
    if (!period) return;
    form.querySelectorAll("[data-period-input]").forEach(function (field) {
      var kinds = field.getAttribute("data-period-input").split(" ");
      field.hidden = kinds.indexOf(period.value) === -1;
    });
  }
  document.querySelectorAll("form.period-form").forEach(function (form) {
    update(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "period") update(form);
    });
  });
})();
