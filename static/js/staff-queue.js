// The queue's extras: a "tick all" box, and the map of the filtered queue.
// Without JavaScript the list, its filters and the bulk form work as they
// are; htmx swaps the results in place, so both are set up again after it.
(function () {
  "use strict";

  const STATUS_WORDS = {
    submitted: "Submitted",
    acknowledged: "Acknowledged",
    in_progress: "In progress",
  };

  function addTickAll(table) {
    const cell = table.querySelector("thead th");
    if (!cell || cell.querySelector("input")) return;

    const boxes = table.querySelectorAll("tbody input[name='requests']");
    const all = document.createElement("input");
    all.type = "checkbox";
    all.setAttribute("aria-label", "Select every request on this page");
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    cell.replaceChildren(all);
  }

  function popup(properties) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = properties.url;
    link.textContent = "#" + properties.number + " · " + properties.service;
    const status = document.createElement("p");
    status.textContent = STATUS_WORDS[properties.status] || properties.status;
    box.append(link, status);
    return box;
  }

  function showMap(element) {
    if (element.dataset.ready) return;
    element.dataset.ready = "true";

    const map = window.town311.createMap(element, { preferCanvas: true });
    const colour = getComputedStyle(document.documentElement)
      .getPropertyValue("--town-colour").trim() || "#1f5f8b";
    if (element.dataset.bounds) {
      map.fitBounds(JSON.parse(element.dataset.bounds));
    }

    fetch(element.dataset.queueMap, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("queue map: HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        const layer = L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            const waiting = feature.properties.status === "submitted";
            return L.circleMarker(latlng, {
              radius: 8,
              weight: 2,
              color: waiting ? "#8c1d18" : colour,
              fillColor: waiting ? "#e4572e" : colour,
              fillOpacity: 0.75,
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(popup(feature.properties));
          },
        }).addTo(map);
        if (collection.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
        }
        // Lets tests (and curious readers) see that the markers are in.
        element.dataset.loaded = String(collection.features.length);
      })
      .catch(function (error) {
        console.warn(error);
      });
  }

  function setUp(root) {
    root.querySelectorAll(".queue-table").forEach(addTickAll);
    if (window.L && window.town311) {
      root.querySelectorAll("[data-queue-map]").forEach(showMap);
    }
  }

  setUp(document);
  document.body.addEventListener("htmx:afterSettle", function () {
    setUp(document);
  });
})();
