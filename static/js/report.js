// Reporting a problem, made quicker with JavaScript. Every page works
// without it: the service search filters as you type instead of on submit,
// and the report form gains a map, place suggestions, the nearby requests
// as soon as a place is set, photo uploads as they are picked, and a Send
// button that cannot be pressed twice.
(function () {
  "use strict";

  // "%(name)s" placeholders, as Django's translations write them.
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  // The same folding as the server's search: no case, no accents, and a
  // plural finds the singular.
  function searchWords(text) {
    const folded = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    return (folded.match(/[\p{L}\p{N}_]+/gu) || []).map(function (word) {
      return word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word;
    });
  }

  function debounce(fn, wait) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  // The service list

  function serviceSearch(form) {
    const input = form.querySelector("input[name=q]");
    const status = document.querySelector("[data-search-status]");
    const noMatch = document.querySelector("[data-no-match]");
    const groups = document.querySelectorAll("[data-service-group]");
    const announce = debounce(function (count, query) {
      if (!query) {
        status.textContent = "";
      } else {
        const text = count === 1 ? status.dataset.one : status.dataset.many;
        status.textContent = format(text, { count: count });
      }
    }, 500);

    input.addEventListener("input", function () {
      const words = searchWords(input.value);
      let count = 0;
      groups.forEach(function (group) {
        let shown = 0;
        group.querySelectorAll("[data-search]").forEach(function (item) {
          const match = words.every(function (w) { return item.dataset.search.includes(w); });
          item.hidden = !match;
          shown += match ? 1 : 0;
        });
        group.hidden = shown === 0;
        count += shown;
      });
      if (noMatch) noMatch.hidden = count > 0;
      announce(count, input.value.trim());
    });
  }

  // The report form

  function reportForm(form) {
    const messages = JSON.parse(document.getElementById("report-messages").textContent);
    const csrfToken = form.elements.csrfmiddlewaretoken.value;
    const latInput = form.elements.lat;
    const longInput = form.elements.long;
    const locationStatus = form.querySelector("[data-location-status]");
    const nearbySection = form.querySelector("#nearby");
    const nearbyList = nearbySection.querySelector("[data-nearby-list]");
    const nearbyForms = document.querySelector("[data-nearby-forms]");
    const photoOffer = form.querySelector("[data-photo-location]");
    let map = null;
    let nearbyRequest = 0;

    function hasLocation() {
      return latInput.value.trim() !== "" && longInput.value.trim() !== "";
    }

    // The map, and the problem's pin on it: a tap, a drag, the device's
    // position, typed coordinates, a suggested place, a photo's position.

    const mapTools = form.querySelector("[data-map-tools]");
    const mapElement = document.getElementById("report-map");
    if (window.L && window.town311 && mapElement) {
      mapTools.hidden = false;
      map = window.town311.createMap(mapElement);
      if (!hasLocation() && mapElement.dataset.bounds) {
        map.fitBounds(JSON.parse(mapElement.dataset.bounds));
      }
    }
    const setLocation = window.town311.pointPicker({
      form: form, map: map, zoom: 17, messages: messages, onPlace: fetchNearby,
    }).setLocation;

    // Place suggestions: a list of buttons under the address field

    const addressBox = form.querySelector("[data-places-url]");
    const addressInput = form.elements.address;
    const suggestions = addressBox.querySelector("[data-place-suggestions]");
    const placeStatus = addressBox.querySelector("[data-place-status]");
    let placesRequest = 0;

    function clearSuggestions() {
      suggestions.replaceChildren();
    }

    function showSuggestions(places) {
      clearSuggestions();
      if (!places.length) {
        placeStatus.textContent = messages.noPlaces;
        return;
      }
      const list = document.createElement("ul");
      places.forEach(function (place) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        const kind = document.createElement("span");
        button.type = "button";
        button.textContent = place.address + " ";
        kind.className = "place-kind";
        kind.textContent = "(" + place.kind + ")";
        button.append(kind);
        button.addEventListener("click", function () {
          addressInput.value = place.address;
          clearSuggestions();
          setLocation(place.lat, place.long, {
            message: format(messages.placeChosen, { name: place.name }),
          });
          addressInput.focus();
        });
        item.append(button);
        list.append(item);
      });
      suggestions.append(list);
      placeStatus.textContent = format(
        places.length === 1 ? messages.placesOne : messages.placesMany,
        { count: places.length }
      );
    }

    const lookUp = debounce(function () {
      const text = addressInput.value.trim();
      const ticket = ++placesRequest;
      if (text.length < 2) {
        clearSuggestions();
        placeStatus.textContent = "";
        return;
      }
      fetch(addressBox.dataset.placesUrl + "?q=" + encodeURIComponent(text))
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (ticket === placesRequest) showSuggestions(body.places);
        })
        .catch(function () { /* the server finds the place on submit */ });
    }, 250);

    addressInput.addEventListener("input", lookUp);
    addressInput.addEventListener("keydown", function (event) {
      const first = suggestions.querySelector("button");
      if (event.key === "ArrowDown" && first) {
        event.preventDefault();
        first.focus();
      } else if (event.key === "Escape") {
        clearSuggestions();
      }
    });
    suggestions.addEventListener("keydown", function (event) {
      const buttons = Array.from(suggestions.querySelectorAll("button"));
      const index = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < buttons.length - 1) {
        event.preventDefault();
        buttons[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? buttons[index - 1] : addressInput).focus();
      } else if (event.key === "Escape") {
        clearSuggestions();
        addressInput.focus();
      }
    });

    // "Is it one of these?": open requests nearby

    function fetchNearby(lat, long) {
      const ticket = ++nearbyRequest;
      const url = nearbySection.dataset.nearbyUrl + "?lat=" + lat + "&long=" + long;
      fetch(url)
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (ticket === nearbyRequest) showNearby(html);
        })
        .catch(function () { /* the server checks again on submit */ });
    }

    function showNearby(html) {
      // Parsed in a template, away from the report form, so the follow and
      // "me too" forms survive: a form inside a form would be dropped.
      const template = document.createElement("template");
      template.innerHTML = html;
      const list = template.content.querySelector("[data-nearby-list]");
      const forms = template.content.querySelector("[data-nearby-forms]");
      nearbyList.replaceChildren.apply(nearbyList, list ? Array.from(list.childNodes) : []);
      nearbyForms.replaceChildren.apply(nearbyForms, forms ? Array.from(forms.childNodes) : []);
      nearbySection.hidden = !list;
      if (list) locationStatus.textContent += " " + messages.nearbyFound;
    }

    // "Me too" is counted in place, so the report being written stays as
    // it is. Sent as htmx would, and without `next`, the request page
    // answers with its piece of page, whose status line says what happened.
    document.addEventListener("submit", function (event) {
      const meToo = event.target;
      if (!meToo.matches("[data-me-too-form]")) return;
      event.preventDefault();
      const button = document.querySelector('[form="' + meToo.id + '"][data-me-too-button]');
      const status = button.closest(".nearby-item").querySelector("[data-me-too-status]");
      const data = new FormData(meToo);
      data.delete("next");
      fetch(meToo.action, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken, "HX-Request": "true" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.statusText);
          return response.text();
        })
        .then(function (html) {
          const template = document.createElement("template");
          template.innerHTML = html;
          const said = template.content.querySelector("[role=status]");
          button.hidden = true;
          status.textContent = said ? said.textContent.trim() : messages.meTooDone;
        })
        .catch(function () { status.textContent = messages.meTooFailed; });
    });

    // Photos upload as soon as they are picked

    const fileInput = form.elements.photos;
    const photoList = form.querySelector("[data-photo-list]");
    const photoStatus = form.querySelector("[data-photo-status]");
    const photoErrors = form.querySelector("[data-photo-errors]");
    const maxPhotos = parseInt(photoList.dataset.maxPhotos, 10);
    let photoPosition = null;
    let uploading = 0;

    function photoError(text) {
      const item = document.createElement("li");
      item.textContent = text;
      photoErrors.append(item);
      photoErrors.hidden = false;
    }

    function addPhoto(photo) {
      const number = photoList.children.length + 1;
      const item = document.createElement("li");
      const image = document.createElement("img");
      const label = document.createElement("label");
      const remove = document.createElement("input");
      item.className = "photo-item";
      image.className = "photo-thumbnail";
      image.src = photo.thumbnail;
      image.alt = format(messages.photoNumber, { number: number });
      label.className = "photo-remove";
      remove.type = "checkbox";
      remove.name = "remove_photos";
      remove.value = photo.id;
      label.append(remove, " " + messages.removePhoto);
      item.append(image, label);
      photoList.append(item);
    }

    function upload(file) {
      if (photoList.children.length + uploading >= maxPhotos) {
        photoError(messages.tooManyPhotos);
        return;
      }
      uploading += 1;
      photoStatus.textContent = format(messages.uploading, { name: file.name });
      const data = new FormData();
      data.append("photo", file);
      data.append("draft_key", form.elements.draft_key.value);
      fetch(fileInput.dataset.uploadUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken },
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            photoError(result.body.error);
            photoStatus.textContent = "";
            return;
          }
          addPhoto(result.body);
          photoStatus.textContent = format(messages.uploaded, { name: file.name });
          if (result.body.gps && !hasLocation()) {
            photoPosition = result.body.gps;
            photoOffer.hidden = false;
          }
        })
        .catch(function () {
          photoError(format(messages.uploadFailed, { name: file.name }));
          photoStatus.textContent = "";
        })
        .finally(function () { uploading -= 1; });
    }

    fileInput.addEventListener("change", function () {
      const files = Array.from(fileInput.files);
      // Uploaded now, so they must not travel again with the form.
      fileInput.value = "";
      photoErrors.replaceChildren();
      photoErrors.hidden = true;
      files.forEach(upload);
    });

    form.querySelector("[data-use-photo-location]").addEventListener("click", function () {
      if (photoPosition) {
        setLocation(photoPosition.lat, photoPosition.long, { message: messages.photoLocationUsed });
      }
    });

    // One tap on Send is one report

    const send = form.querySelector("[data-send]");
    const sendLabel = send.textContent;
    let sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      send.setAttribute("aria-disabled", "true");
      send.textContent = send.dataset.sendingLabel;
      // Disabled only after the browser has read the form: a disabled
      // submit button would leave its own value out.
      setTimeout(function () { send.disabled = true; }, 0);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        sending = false;
        send.disabled = false;
        send.removeAttribute("aria-disabled");
        send.textContent = sendLabel;
      }
    });

    if (hasLocation() && !nearbyList.children.length) {
      fetchNearby(parseFloat(latInput.value), parseFloat(longInput.value));
    }

    const summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.querySelectorAll("[data-service-search]").forEach(serviceSearch);
  document.querySelectorAll("[data-report-form]").forEach(reportForm);
})();
