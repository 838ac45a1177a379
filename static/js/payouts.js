/* Lotsenportal: the pay page (claims queue, approved claims). "Select all payable" and a running count and
 * sum of the ticked claims. No dependencies; loaded as a file (CSP: script-src 'self').
 *
 * Without JavaScript the checkboxes work as they are and the confirmation page shows the count and the sum.
 * Amounts are summed in cents (integers), never as floats: 0.10 + 0.20 stays 0.30.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-pay-form]");
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[data-pay-claim]"));
  var all = form.querySelector("[data-select-all]");
  var tools = form.querySelector("[data-pay-tools]");
  var output = form.querySelector("[data-pay-total]");
  var language = document.documentElement.lang || "de";
  var money = new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function cents(box) {
    var parts = (box.getAttribute("data-amount") || "0").split(".");
    var euros = parseInt(parts[0], 10) || 0;
    var rest = ((parts[1] || "") + "00").slice(0, 2);
    return euros * 100 + (parseInt(rest, 10) || 0);
  }

  function update() {
    var count = 0;
    var total = 0;
    boxes.forEach(function (box) {
      if (box.checked) {
        count += 1;
        total += cents(box);
      }
    });
    if (output) {
      var text = count === 0 ? output.getAttribute("data-none")
        : output.getAttribute(count === 1 ? "data-one" : "data-many");
      output.textContent = text.replace("{count}", String(count)).replace("{total}", money.format(total / 100));
      output.setAttribute("data-count", String(count));
      output.setAttribute("data-cents", String(total));
    }
    if (all) {
      all.checked = count > 0 && count === boxes.length;
      all.indeterminate = count > 0 && count < boxes.length;
    }
  }

  if (tools) tools.hidden = false;
  if (output) output.hidden = false;
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) {
        box.checked = all.checked;
      });
      update();
    });
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
})();
