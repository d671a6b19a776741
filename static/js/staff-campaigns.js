// The staff campaign pages. Everything here is a help on top of forms that
// work without it: a form sent once however often it is tapped, a "tick
// all" box and small maps in the moderation queue, and on the set-up page
// a preview of the pasted area, the choices box only for list questions,
// and a button for one more question.
(function () {
  "use strict";

  // A second tap while the first post is on its way would only repeat it.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-once]")) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "true";
  });
  // A page restored by the Back button keeps its script's state; its forms
  // are fresh to the reader, so they may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
    });
  });

  // The moderation queue

  function addTickAll() {
    const boxes = document.querySelectorAll("input.campaign-tick");
    const list = document.querySelector(".campaign-cards");
    if (!boxes.length || !list || document.getElementById("tick-all")) return;

    const wrap = document.createElement("p");
    wrap.className = "campaign-tick-all";
    const all = document.createElement("input");
    all.type = "checkbox";
    all.id = "tick-all";
    const label = document.createElement("label");
    label.htmlFor = "tick-all";
    label.textContent = "Select every waiting submission on this page";
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    wrap.append(all, " ", label);
    list.before(wrap);
  }

  function showSubmissionMap(element) {
    if (element.dataset.ready) return;
    element.dataset.ready = "true";
    element.hidden = false;

    const map = window.town311.createMap(element);
    const here = [parseFloat(element.dataset.lat), parseFloat(element.dataset.long)];
    const colour = getComputedStyle(document.documentElement)
      .getPropertyValue("--town-colour").trim() || "#1f5f8b";
    const points = [here];
    (element.dataset.nearby || "").split(";").filter(Boolean).forEach(function (item) {
      const [pk, lat, long] = item.split(",");
      const place = [parseFloat(lat), parseFloat(long)];
      points.push(place);
      L.circleMarker(place, { radius: 7, weight: 2, color: "#444", fillOpacity: 0.4 })
        .bindTooltip("Point " + pk)
        .addTo(map);
    });
    L.circleMarker(here, { radius: 9, weight: 3, color: colour, fillOpacity: 0.7 })
      .bindTooltip("This submission")
      .addTo(map);
    if (points.length > 1) {
      map.fitBounds(points, { padding: [20, 20], maxZoom: 19 });
    }
  }

  function setUpMaps() {
    const maps = document.querySelectorAll("[data-submission-map]");
    if (!maps.length || !window.L || !window.town311) return;

    // A queue page holds many cards; a map is drawn when its card scrolls
    // into view, so the page does not load every map's tiles at once.
    if (!("IntersectionObserver" in window)) {
      maps.forEach(showSubmissionMap);
      return;
    }
    const observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        showSubmissionMap(entry.target.querySelector("[data-submission-map]"));
      });
    }, { rootMargin: "200px" });
    maps.forEach(function (element) {
      observer.observe(element.closest(".campaign-card") || element);
    });
  }

  // The set-up page

  function setUpAreaPreview() {
    const element = document.querySelector("[data-campaign-area-map]");
    const source = element && document.getElementById(element.dataset.source);
    const note = document.querySelector("[data-campaign-area-note]");
    if (!source || !window.L || !window.town311) return;

    let map = null;
    let layer = null;

    function draw() {
      const text = source.value.trim();
      note.hidden = false;
      if (!text) {
        element.hidden = true;
        note.textContent = "No area: submissions are taken anywhere in the town.";
        return;
      }

      let data;
      try {
        data = JSON.parse(text);
        element.hidden = false;
        if (!map) map = window.town311.createMap(element);
        if (layer) layer.remove();
        layer = L.geoJSON(data).addTo(map);
        map.invalidateSize();
        map.fitBounds(layer.getBounds(), { padding: [16, 16] });
        note.textContent = "The map shows the pasted area; saving checks it.";
      } catch (error) {
        note.textContent = "The map shows the area once the text is GeoJSON.";
      }
    }

    source.addEventListener("change", draw);
    draw();
  }

  function setUpQuestions() {
    const fieldset = document.querySelector(".campaign-questions");
    if (!fieldset) return;

    const listTypes = (fieldset.dataset.listDatatypes || "").split(" ");
    function toggleValues(question) {
      const select = question.querySelector("select[name$='-datatype']");
      const values = question.querySelector("[data-question-values]");
      if (!select || !values) return;
      // A list question's choices stay visible while they carry an error.
      values.hidden = !listTypes.includes(select.value) && !values.querySelector(".error");
    }

    fieldset.querySelectorAll("[data-question]").forEach(toggleValues);
    fieldset.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-datatype']")) {
        toggleValues(event.target.closest("[data-question]"));
      }
    });

    const button = fieldset.querySelector("[data-question-add]");
    const template = fieldset.querySelector("[data-question-template]");
    const list = fieldset.querySelector("[data-question-list]");
    const total = fieldset.querySelector("input[name='questions-TOTAL_FORMS']");
    if (!button || !template || !list || !total) return;

    button.hidden = false;
    button.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML
        .replaceAll("__prefix__", String(index))
        .replaceAll("__number__", String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const added = list.lastElementChild;
      toggleValues(added);
      added.querySelector("input[type='text'], textarea").focus();
    });
  }

  addTickAll();
  setUpMaps();
  setUpAreaPreview();
  setUpQuestions();
})();
