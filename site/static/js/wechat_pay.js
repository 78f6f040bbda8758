/*
 * The WeChat Pay page. On a desktop it asks the server every few seconds whether the QR
 * code has been paid and opens the tickets once it has. Inside WeChat it hands the signed
 * JSAPI parameters to WeixinJSBridge and, when WeChat says paid, opens the order, which
 * asks WeChat Pay itself before it shows the tickets.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-wechat-pay]");
  if (!root) return;
  var status = root.querySelector("[data-wechat-pay-status]");
  var text = document.querySelector("[data-wechat-pay-text]").dataset;
  var paidUrl = root.dataset.paidUrl;

  function paid() {
    if (status) status.textContent = text.paid;
    window.location.assign(paidUrl);
  }

  var parameters = document.getElementById("wechat-pay-jsapi");
  if (parameters) {
    var request = JSON.parse(parameters.textContent);
    var button = root.querySelector("[data-wechat-pay-start]");
    var pay = function () {
      window.WeixinJSBridge.invoke("getBrandWCPayRequest", request, function (answer) {
        if (answer && answer.err_msg === "get_brand_wcpay_request:ok") {
          paid();
        } else if (status) {
          status.textContent = text.cancelled;
        }
      });
    };
    var start = function () {
      if (window.WeixinJSBridge) {
        pay();
      } else {
        document.addEventListener("WeixinJSBridgeReady", pay, { once: true });
      }
    };
    button.addEventListener("click", start);
    start();
    return;
  }

  var delay = 3000;
  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.paid) {
          paid();
        } else if (!answer || answer.status === "pending") {
          window.setTimeout(poll, delay);
        } else {
          window.location.assign(paidUrl);
        }
      })
      .catch(function () { window.setTimeout(poll, delay * 2); });
  }
  window.setTimeout(poll, delay);
})();
