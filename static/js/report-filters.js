/* Reports (reports/index.html): the period kind chosen decides which inputs are shown.
 * Without JavaScript every input is shown and the server uses those of the chosen kind.
 * The other kinds' inputs are hidden and disabled, so their stale values are not sent with the form.
 */
(function () {
  "use strict";

  var select = document.querySelector(".report-filters select[name=period]");
  if (!select) {
    return;
  }
  var groups = document.querySelectorAll(".report-filters [data-period-for]");

  function update() {
    var kind = select.value || "year";
    groups.forEach(function (group) {
      var shown = group.getAttribute("data-period-for").split(" ").indexOf(kind) !== -1;
      group.hidden = !shown;
      group.querySelectorAll("input, select").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }

  select.addEventListener("change", update);
  update();
})();
