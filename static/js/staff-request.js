// The staff request page: the map, and the template quick-pick, which
// copies a template's text (already filled in for this request by the
// server) into the message box so it can be edited before sending.
(function () {
  "use strict";

  function setUp(root) {
    root.querySelectorAll("[data-staff-request-map]").forEach(function (element) {
      if (element.dataset.ready) return;
      element.dataset.ready = "true";
      element.hidden = false;
      const map = window.town311.createMap(element);
      const lat = parseFloat(element.dataset.lat);
      const long = parseFloat(element.dataset.long);
      L.circleMarker([lat, long], { radius: 9, weight: 3 }).addTo(map);
    });

    // With the script the pick fills the box at once; the button is for
    // browsers without it.
    root.querySelectorAll("[data-template-use]").forEach(function (button) {
      button.hidden = true;
    });
  }

  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-template-pick]");
    if (!select) return;
    const option = select.options[select.selectedIndex];
    const box = document.getElementById(select.dataset.templatePick);
    if (!box || !option || !option.dataset.body) return;
    box.value = option.dataset.body;
  });

  // htmx swaps the whole workspace after an action; set up the new one.
  document.addEventListener("htmx:afterSettle", function () {
    setUp(document);
  });

  setUp(document);
})();
