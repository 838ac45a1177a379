/* A long list of checkboxes (portal.forms.CheckboxList) gets a search box above it: typing hides the
 * choices that do not match; ticked ones always stay visible. Without JavaScript the whole list shows.
 * Loaded by the widget's template (maybe once per list): each list is set up only once.
 */
(function () {
  "use strict";

  function fold(text) {
    // "Türkisch" is found by "turk", "Dari" by "DARI".
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUp(list) {
    if (list.hasAttribute("data-filter-ready")) {
      return;
    }
    list.setAttribute("data-filter-ready", "");
    var choices = Array.prototype.slice.call(list.querySelectorAll("label")).filter(function (label) {
      return label.querySelector("input[type=checkbox]");
    });
    var id = (list.querySelector("[id]") || { id: "choices" }).id + "-search";
    var wrapper = document.createElement("div");
    wrapper.className = "checkbox-list__search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = list.getAttribute("data-filter-label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var empty = document.createElement("p");
    empty.className = "help";
    empty.hidden = true;
    empty.setAttribute("aria-live", "polite");
    empty.textContent = list.getAttribute("data-filter-empty");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    list.parentNode.insertBefore(wrapper, list);
    list.parentNode.insertBefore(empty, list.nextSibling);

    input.addEventListener("input", function () {
      var query = fold(input.value.trim());
      var shown = 0;
      choices.forEach(function (choice) {
        var box = choice.querySelector("input");
        var match = !query || box.checked || fold(choice.textContent).indexOf(query) !== -1;
        // Django wraps each choice in a <div>; hide that, so no empty row stays behind.
        (choice.parentElement.tagName === "DIV" ? choice.parentElement : choice).hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      empty.hidden = shown > 0;
    });
    // Enter in the search box would send the whole form: it only filters.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-checkbox-filter]"), setUp);
})();
