/*
 * The box office's sale form: − and + beside each quantity, and the order's total as it
 * changes. Without JavaScript the quantities are plain number inputs and the server
 * computes the total; the form works the same.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-box-office]");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-price]"));
  var total = form.querySelector("[data-total]");

  function cents(text) {
    var parts = String(text).split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function update() {
    var sum = 0;
    var count = 0;
    inputs.forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (n > 0) {
        sum += n * cents(input.getAttribute("data-price"));
        count += n;
      }
    });
    if (count > 0) {
      // Grouped by thousands, as the server writes money: ¥1,260.00.
      var yuan = String(Math.floor(sum / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
      var amount = yuan + "." + ("0" + (sum % 100)).slice(-2);
      total.textContent = form.getAttribute("data-total-text") + " ¥" + amount;
      total.hidden = false;
    } else {
      total.hidden = true;
    }
  }

  form.querySelectorAll("[data-step]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("aria-controls"));
      var max = parseInt(input.getAttribute("max"), 10) || 99;
      var n = (parseInt(input.value, 10) || 0) + parseInt(button.getAttribute("data-step"), 10);
      input.value = Math.max(0, Math.min(max, n));
      update();
    });
  });
  inputs.forEach(function (input) {
    input.addEventListener("input", update);
  });
  update();
})();
