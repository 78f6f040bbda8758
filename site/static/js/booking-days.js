// The booking page holds every bookable day of the month on screen (booking_days.py):
// a tap on a day in the calendar shows that day's entry times and prices at once, with no
// request. The link stays a link: without this script, or for a day not in the page, it
// opens the day as its own page.
(function () {
  "use strict";
  function run() {
    var form = document.querySelector("form[data-booking-days]");
    if (!form) return;
    var heading = document.querySelector("[data-day-heading]");
    var note = document.querySelector("[data-day-note]");
    var dateInput = form.querySelector("input[name=date]");
    var steps = document.querySelectorAll(".steps li");
    var prices = form.querySelectorAll(".qty-row__price");

    function choose(link, day) {
      form.querySelectorAll(".slot-list[data-day]").forEach(function (list) {
        var shown = list === day;
        list.hidden = !shown;
        list.querySelectorAll("input[name=slot]").forEach(function (input) {
          input.disabled = !shown;
          if (!shown) input.checked = false;
        });
      });
      day.getAttribute("data-prices").split("|").forEach(function (price, i) {
        if (prices[i]) prices[i].textContent = price;
      });
      dateInput.value = day.getAttribute("data-day");
      heading.textContent = day.getAttribute("data-heading");
      document.querySelectorAll(".date-picker a[data-day]").forEach(function (other) {
        var on = other === link;
        other.parentNode.classList.toggle("is-selected", on);
        if (on) other.setAttribute("aria-current", "date");
        else other.removeAttribute("aria-current");
      });
      if (steps.length > 1) {
        steps[0].removeAttribute("aria-current");
        steps[1].setAttribute("aria-current", "step");
      }
      if (note) note.hidden = true;
      form.hidden = false;
      history.replaceState(null, "", link.getAttribute("href"));
      heading.focus({ preventScroll: true });
      document.getElementById("tickets").scrollIntoView({ block: "start" });
    }

    document.querySelectorAll(".date-picker a[data-day]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var day = form.querySelector('.slot-list[data-day="' + link.getAttribute("data-day") + '"]');
        if (!day || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        choose(link, day);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
