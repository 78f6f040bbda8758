/* The field form's "tree position": ask the phone for a high-accuracy GPS fix, show it with
 * its accuracy, and put it in the form's hidden fields (WGS-84, as GPS gives it). The server
 * refuses a fix too rough or outside the park; the warning here only saves a wasted tap.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-gps-form]");
  if (!form) return;
  var button = form.querySelector("[data-gps-locate]");
  var status = form.querySelector("[data-gps-status]");
  var fields = {
    lon: form.querySelector("input[name$='-lon']"),
    lat: form.querySelector("input[name$='-lat']"),
    accuracy: form.querySelector("input[name$='-accuracy_m']"),
  };

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return key in values ? values[key] : "";
    });
  }
  function say(message) {
    status.textContent = message;
  }

  button.addEventListener("click", function () {
    if (!navigator.geolocation) {
      say(form.dataset.unsupported);
      return;
    }
    button.disabled = true;
    say(form.dataset.waiting);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        button.disabled = false;
        var c = position.coords;
        var accuracy = Math.round(c.accuracy * 10) / 10;
        fields.lon.value = c.longitude.toFixed(7);
        fields.lat.value = c.latitude.toFixed(7);
        fields.accuracy.value = String(accuracy);
        var found = fill(form.dataset.found, {
          lat: c.latitude.toFixed(6),
          lon: c.longitude.toFixed(6),
          accuracy: accuracy,
        });
        if (accuracy > Number(form.dataset.limit)) {
          found += " " + fill(form.dataset.tooRough, { accuracy: Math.round(accuracy), limit: form.dataset.limit });
        }
        say(found);
      },
      function (error) {
        button.disabled = false;
        say(error.code === error.PERMISSION_DENIED ? form.dataset.denied : form.dataset.failed);
      },
      { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 }
    );
  });
})();
