// Maps of many requests (browse and home pages). The list next to the map
// holds the same requests for readers without JavaScript or a pointer, so
// the map only adds a picture of where they are.
(function () {
  "use strict";

  function popup(properties) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.service + " · #" + properties.id;
    const facts = document.createElement("p");
    facts.textContent = properties.status_label + " · " + properties.submitted;
    box.append(link, facts);
    return box;
  }

  function showRequests(element) {
    element.hidden = false;
    const map = window.town311.createMap(element, { preferCanvas: true });
    const colour = getComputedStyle(document.documentElement)
      .getPropertyValue("--town-colour").trim() || "#1f5f8b";

    if (element.dataset.bounds) {
      map.fitBounds(JSON.parse(element.dataset.bounds));
    }

    fetch(element.dataset.requestsMap, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("requests map: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            const closed = feature.properties.status === "closed";
            return L.circleMarker(latlng, {
              radius: 7,
              weight: 2,
              color: closed ? "#555" : colour,
              fillColor: closed ? "#bbb" : colour,
              fillOpacity: 0.7,
            });
          },
          onEachFeature: function (feature, layer) {
            layer.bindPopup(popup(feature.properties));
          },
        }).addTo(map);
        // Lets tests (and curious readers) see that the markers are in.
        element.dataset.loaded = String(collection.features.length);
      })
      .catch(function (error) {
        console.warn(error);
      });
  }

  document.querySelectorAll("[data-requests-map]").forEach(showRequests);
  document.querySelectorAll("[data-map-note]").forEach(function (note) {
    note.hidden = false;
  });
})();
