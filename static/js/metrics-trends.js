// The trends page's heat map: each square of about 250 m drawn darker the
// more requests came from it, with a legend of the counts. Without
// JavaScript the charts and the table of the busiest squares still show.
(function () {
  "use strict";

  // Light to dark blue, readable with any common colour blindness.
  const SHADES = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"];
  const OPACITIES = [0.35, 0.5, 0.65, 0.8];

  function shade(count, most) {
    return Math.min(SHADES.length - 1, Math.floor(((count - 1) / most) * SHADES.length));
  }

  function legend(most) {
    const control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      const box = L.DomUtil.create("div", "trends-heat-legend");
      const title = document.createElement("p");
      title.textContent = "Requests per square";
      box.append(title);
      SHADES.forEach(function (colour, index) {
        const low = Math.floor((index * most) / SHADES.length) + 1;
        const high = Math.floor(((index + 1) * most) / SHADES.length);
        if (high < low) return;

        const row = document.createElement("p");
        const swatch = document.createElement("span");
        swatch.className = "trends-heat-swatch";
        swatch.style.background = colour;
        swatch.style.opacity = String(OPACITIES[index] + 0.2);
        row.append(swatch, low === high ? String(low) : low + "–" + high);
        box.append(row);
      });
      return box;
    };
    return control;
  }

  function showHeat(element) {
    const waiting = element.querySelector(".trends-heat-waiting");
    if (waiting) waiting.remove();
    const map = window.town311.createMap(element);
    if (element.dataset.bounds) {
      map.fitBounds(JSON.parse(element.dataset.bounds));
    }

    fetch(element.dataset.heat, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("heat map: HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        const cells = collection.features.map(function (feature) {
          return feature.properties;
        });
        const most = Math.max.apply(null, cells.map(function (cell) { return cell.count; }).concat([1]));
        cells.forEach(function (cell) {
          const index = shade(cell.count, most);
          L.rectangle([[cell.south, cell.west], [cell.north, cell.east]], {
            weight: 0,
            fillColor: SHADES[index],
            fillOpacity: OPACITIES[index],
          })
            .bindTooltip(cell.count + (cell.count === 1 ? " request" : " requests"))
            .addTo(map);
        });
        if (cells.length) legend(most).addTo(map);
        // Lets tests (and curious readers) see that the squares are in.
        element.dataset.loaded = String(cells.length);
      })
      .catch(function (error) {
        console.warn(error);
      });
  }

  document.querySelectorAll("[data-heat]").forEach(showHeat);
})();
