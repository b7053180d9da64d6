/* The seat finder: npd_briefing/seats/resolve.py and postcodes.py, ported line for line.
 *
 * It gives the answers and the messages `build.py resolve` gives, for any text: the character
 * rules (spaces, controls, digits, letters, folding, repr's escapes) come from Python's own tables
 * in the lookup file, and "did you mean" is difflib's SequenceMatcher ported as it is.
 * Nothing here touches the page or the network: npdFinder.create(lookupData) returns a resolver.
 */
(function () {
  "use strict";

  function decodeSteps(text) {
    if (!text) { return []; }
    var parts = text.split(","), values = new Array(parts.length), value = 0;
    for (var i = 0; i < parts.length; i++) {
      value += parseInt(parts[i], 36);
      values[i] = value;
    }
    return values;
  }

  function inRanges(ranges, code) {
    var low = 0, high = ranges.length / 2 - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (code < ranges[2 * middle]) { high = middle - 1; }
      else if (code > ranges[2 * middle + 1]) { low = middle + 1; }
      else { return true; }
    }
    return false;
  }

  function codeOf(character) { return character.codePointAt(0); }

  function hex(code, width) {
    var text = code.toString(16);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  // ---- difflib.SequenceMatcher(None, a, b) and get_close_matches, as in CPython 3.11 ----

  function Matcher(b) {
    this.b = b;
    var b2j = new Map();
    for (var i = 0; i < b.length; i++) {
      if (!b2j.has(b[i])) { b2j.set(b[i], []); }
      b2j.get(b[i]).push(i);
    }
    if (b.length >= 200) {  // autojunk: drop "popular" elements of b
      var ntest = Math.floor(b.length / 100) + 1;
      b2j.forEach(function (indexes, element) { if (indexes.length > ntest) { b2j.delete(element); } });
    }
    this.b2j = b2j;
    var counts = new Map();
    for (var k = 0; k < b.length; k++) { counts.set(b[k], (counts.get(b[k]) || 0) + 1); }
    this.fullbcount = counts;
  }

  function calculateRatio(matches, length) { return length ? 2.0 * matches / length : 1.0; }

  Matcher.prototype.longestMatch = function (a, alo, ahi, blo, bhi) {
    var b = this.b, besti = alo, bestj = blo, bestsize = 0, j2len = new Map();
    for (var i = alo; i < ahi; i++) {
      var next = new Map(), indexes = this.b2j.get(a[i]) || [];
      for (var n = 0; n < indexes.length; n++) {
        var j = indexes[n];
        if (j < blo) { continue; }
        if (j >= bhi) { break; }
        var k = (j2len.get(j - 1) || 0) + 1;
        next.set(j, k);
        if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
      }
      j2len = next;
    }
    // No junk function, so only the first pair of extensions can move (over "popular" elements).
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) { besti--; bestj--; bestsize++; }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) { bestsize++; }
    return [besti, bestj, bestsize];
  };

  Matcher.prototype.ratio = function (a) {
    var queue = [[0, a.length, 0, this.b.length]], matches = 0;
    while (queue.length) {
      var q = queue.pop(), alo = q[0], ahi = q[1], blo = q[2], bhi = q[3];
      var m = this.longestMatch(a, alo, ahi, blo, bhi), i = m[0], j = m[1], k = m[2];
      if (k) {
        matches += k;
        if (alo < i && blo < j) { queue.push([alo, i, blo, j]); }
        if (i + k < ahi && j + k < bhi) { queue.push([i + k, ahi, j + k, bhi]); }
      }
    }
    return calculateRatio(matches, a.length + this.b.length);
  };

  Matcher.prototype.quickRatio = function (a) {
    var available = new Map(), matches = 0;
    for (var i = 0; i < a.length; i++) {
      var element = a[i];
      var count = available.has(element) ? available.get(element) : (this.fullbcount.get(element) || 0);
      available.set(element, count - 1);
      if (count > 0) { matches++; }
    }
    return calculateRatio(matches, a.length + this.b.length);
  };

  Matcher.prototype.realQuickRatio = function (a) {
    return calculateRatio(Math.min(a.length, this.b.length), a.length + this.b.length);
  };

  function closeMatches(word, possibilities, count, cutoff) {
    var matcher = new Matcher(word), scored = [];
    possibilities.forEach(function (x) {
      if (matcher.realQuickRatio(x) >= cutoff && matcher.quickRatio(x) >= cutoff) {
        var score = matcher.ratio(x);
        if (score >= cutoff) { scored.push([score, x]); }
      }
    });
    scored.sort(function (p, q) { return q[0] - p[0] || (q[1] > p[1] ? 1 : q[1] < p[1] ? -1 : 0); });
    return scored.slice(0, count).map(function (pair) { return pair[1]; });
  }

  // ---- the resolver ----

  function create(data) {
    var chars = data.characters;
    var table = {};
    ["space", "control", "unprintable", "digit", "word", "letter", "vanish"].forEach(function (name) {
      table[name] = decodeSteps(chars[name]);
    });
    var literal = {};
    Object.keys(chars.literal).forEach(function (letter) { literal[letter] = decodeSteps(chars.literal[letter]); });
    var folds = new Map(), foldCodes = decodeSteps(chars.fold_codes), folded = chars.fold.split(",");
    foldCodes.forEach(function (code, i) { folds.set(code, folded[i]); });

    var limits = data.limits, postcode = data.postcode;
    var outward = new RegExp("^(?:" + postcode.outward + ")$");
    var strict = new RegExp("^(" + postcode.outward + ")(" + postcode.inward + ")$");
    var example = postcode.example, notInLookup = postcode.not_in_lookup;

    function is(name, character) { return inRanges(table[name], codeOf(character)); }

    // Python's repr() of a str.
    function pyRepr(characters) {
      var text = characters.join("");
      var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
      var out = quote;
      characters.forEach(function (ch) {
        var code = codeOf(ch);
        if (ch === quote || ch === "\\") { out += "\\" + ch; }
        else if (ch === "\t") { out += "\\t"; }
        else if (ch === "\n") { out += "\\n"; }
        else if (ch === "\r") { out += "\\r"; }
        else if (code < 0x20 || code === 0x7f) { out += "\\x" + hex(code, 2); }
        else if (code < 0x7f) { out += ch; }
        else if (!inRanges(table.unprintable, code)) { out += ch; }
        else if (code <= 0xff) { out += "\\x" + hex(code, 2); }
        else if (code <= 0xffff) { out += "\\u" + hex(code, 4); }
        else { out += "\\U" + hex(code, 8); }
      });
      return out + quote;
    }

    function quoted(characters) {  // text.quoted: what was typed, quoted, cut short with its length said
      if (characters.length <= limits.quoted_chars) { return pyRepr(characters); }
      var length = String(characters.length).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
      return pyRepr(characters.slice(0, limits.quoted_chars)) + "... (" + length + " characters)";
    }

    function fold(characters) {  // resolve.fold_name
      var out = "";
      characters.forEach(function (ch) {
        var code = codeOf(ch);
        if (code < 0x80) {
          var lower = ch.toLowerCase();
          out += ch === "&" ? " and " : /[0-9a-z]/.test(lower) ? lower : " ";
        } else if (inRanges(table.vanish, code)) {
          return;
        } else {
          out += folds.has(code) ? folds.get(code) : " ";
        }
      });
      return out.split(" ").filter(Boolean).join(" ");
    }

    function words(characters) {  // str.split()
      var found = [], current = [];
      characters.forEach(function (ch) {
        if (is("space", ch)) {
          if (current.length) { found.push(current); current = []; }
        } else {
          current.push(ch);
        }
      });
      if (current.length) { found.push(current); }
      return found;
    }

    var seats = data.seats.map(function (row, index) {
      return {index: index, code: row[0], name: row[1], nameCy: row[2], nation: data.nations[row[3]],
              region: data.regions[row[4]], mp: row[5], party: row[6],
              page: row[0] + "-" + fold(Array.from(row[1])).split(" ").join("-") + ".html"};
    });
    var byCode = new Map(seats.map(function (seat) { return [seat.code, seat]; }));
    var byName = new Map();
    seats.forEach(function (seat) {
      [seat.name, seat.nameCy].forEach(function (name) {
        if (!name) { return; }
        var key = fold(Array.from(name));
        if (!byName.has(key)) { byName.set(key, []); }
        if (byName.get(key).indexOf(seat) < 0) { byName.get(key).push(seat); }
      });
    });
    var names = Array.from(byName.keys());

    var starts = decodeSteps(data.ranges.starts);
    var rangeSeats = data.ranges.seats.split(",").map(function (x) { return parseInt(x, 36); });
    var startAreas = starts.map(function (start) { return /^[A-Z]*/.exec(start.toString(36).toUpperCase())[0]; });
    var areas = new Set(startAreas);

    function found(seat) { return {ok: true, seat: seat, message: "", candidates: []}; }
    function refused(message, candidates) { return {ok: false, seat: null, message: message, candidates: candidates || []}; }

    function gssCode(characters) {  // resolve.GSS_CODE, matched case-insensitively
      if (characters.length !== 9 || !Object.prototype.hasOwnProperty.call(chars.gss_letter, characters[0])) { return null; }
      for (var i = 1; i < 9; i++) { if (!is("digit", characters[i])) { return null; } }
      return chars.gss_letter[characters[0]] + characters.slice(1).join("");
    }

    function looksLikePostcode(characters) {  // postcodes.LOOSE_POSTCODE
      var compact = characters.filter(function (ch) { return ch !== " "; }), n = compact.length;
      function all(name, from, to) {
        for (var i = from; i < to; i++) { if (!is(name, compact[i])) { return false; } }
        return true;
      }
      function spells(letters, from) {
        for (var i = 0; i < letters.length; i++) {
          if (!inRanges(literal[letters[i]], codeOf(compact[from + i]))) { return false; }
        }
        return true;
      }
      for (var k = 1; k <= 2; k++) {
        var rest = n - k - 1;
        if (rest >= 3 && rest <= 5 && all("letter", 0, k) && is("digit", compact[k]) && all("word", k + 1, n)) { return true; }
      }
      if (n >= 5 && n <= 8 && spells("BFPO", 0) && all("digit", 4, n)) { return true; }
      return n === 6 && spells("GIR0AA", 0);
    }

    function invalid(characters, why) {
      return refused(quoted(characters) + " is not a valid UK postcode: " + why + "; " + example);
    }

    function byPostcode(characters) {  // postcodes.normalise_postcode, then PostcodeLookup.lookup
      var compact = characters.filter(function (ch) { return ch !== " "; }).join("");
      if (!/^[A-Za-z0-9]+$/.test(compact)) {
        return invalid(characters, "it may only contain the letters A-Z, the digits 0-9 and spaces");
      }
      compact = compact.toUpperCase();
      if (compact === "GIR0AA") {
        return refused(quoted(characters) + " is the non-geographic Girobank postcode, which has no constituency in the " +
                       "lookup; give the seat name instead");
      }
      if (/^BFPO[0-9]{1,4}$/.test(compact)) { return refused(quoted(characters) + " " + notInLookup.BF); }
      if (outward.test(compact)) {
        return invalid(characters, "it is only the outward code (the district); add the inward code, e.g. '1AA'");
      }
      if (compact.length < 5 || compact.length > 7) {
        return invalid(characters, "it has " + compact.length + " letters and digits, a full postcode has 5 to 7");
      }
      var match = strict.exec(compact);
      if (!match) { return invalid(characters, "the letters and digits are not in the order or positions a postcode uses"); }
      var text = match[1] + " " + match[2], area = /^[A-Z]*/.exec(text)[0];
      if (Object.prototype.hasOwnProperty.call(notInLookup, area)) { return refused(text + " " + notInLookup[area]); }
      if (!areas.has(area)) {
        return refused(text + " cannot exist: there is no GB postcode area '" + area + "'; check the postcode or give " +
                       "the seat name instead");
      }
      var value = parseInt(compact, 36), low = 0, high = starts.length;
      while (low < high) {  // numpy.searchsorted(side="right")
        var middle = (low + high) >> 1;
        if (starts[middle] <= value) { low = middle + 1; } else { high = middle; }
      }
      var index = low - 1;
      if (index < 0 || startAreas[index] !== area) {
        return refused(text + " cannot exist: the mid-2024 lookup has no postcode in district " + match[1] +
                       " at or before it; check the postcode or give the seat name instead");
      }
      if (!rangeSeats[index]) {
        return refused(text + " has no constituency in the lookup (a non-geographic postcode such as a PO box or " +
                       "large-user code); give the seat name instead");
      }
      return found(seats[rangeSeats[index] - 1]);
    }

    function containsWords(nameWords, queryWords) {
      for (var i = 0; i + queryWords.length <= nameWords.length; i++) {
        var same = true;
        for (var j = 0; j < queryWords.length && same; j++) { same = nameWords[i + j] === queryWords[j]; }
        if (same) { return true; }
      }
      return false;
    }

    function byCodeOrder(p, q) { return p.code < q.code ? -1 : p.code > q.code ? 1 : 0; }

    function bySeatName(characters) {  // SeatResolver._by_seat_name
      var folded = fold(characters), exact = byName.get(folded) || [];
      if (exact.length === 1) { return found(exact[0]); }
      var queryWords = folded ? folded.split(" ") : [], containing = [];
      byName.forEach(function (matches, name) {
        if (queryWords.length && containsWords(name.split(" "), queryWords)) {
          matches.forEach(function (seat) { if (containing.indexOf(seat) < 0) { containing.push(seat); } });
        }
      });
      containing.sort(byCodeOrder);
      if (containing.length > 1) {
        var listed = containing.slice(0, limits.max_listed).map(function (seat) { return seat.name; }).join("; ");
        if (containing.length > limits.max_listed) { listed += "; and " + (containing.length - limits.max_listed) + " more"; }
        return refused(quoted(characters) + " matches " + containing.length + " seats: " + listed +
                       ". Give the full seat name", containing);
      }
      var suggestions = [];
      if (containing.length) {
        suggestions = containing;
      } else {
        closeMatches(folded, names, 5, 0.6).forEach(function (name) {
          byName.get(name).slice().sort(byCodeOrder).forEach(function (seat) {
            if (suggestions.indexOf(seat) < 0) { suggestions.push(seat); }
          });
        });
      }
      if (suggestions.length) {
        return refused("no seat is called " + quoted(characters) + "; did you mean: " +
                       suggestions.map(function (seat) { return seat.name; }).join("; ") + "?", suggestions);
      }
      return refused("no seat matches " + quoted(characters) + "; give a 2024 seat name, a GSS code (e.g. E14001063) " +
                     "or a GB postcode");
    }

    function resolve(query) {  // SeatResolver.resolve
      var raw = Array.from(query === null || query === undefined ? "" : String(query));
      if (raw.some(function (ch) { return is("control", ch); })) {
        return refused("query " + quoted(raw) + " contains control characters; give a seat name, a GSS code such " +
                       "as E14001063, or a postcode");
      }
      var characters = [];
      words(raw).forEach(function (word, i) { characters = characters.concat(i ? [" "] : [], word); });
      if (!characters.length) {
        return refused("empty query; give a seat name (e.g. 'Ynys Môn'), a GSS code (e.g. E14001063) or a GB " +
                       "postcode (e.g. SW1A 1AA)");
      }
      if (characters.length > limits.max_query_length) {
        return refused("query of " + characters.length + " characters is too long to be a seat name, code or " +
                       "postcode (at most " + limits.max_query_length + ")");
      }
      var code = gssCode(characters);
      if (code !== null) {
        return byCode.has(code) ? found(byCode.get(code)) : refused("no 2024 Westminster seat has the GSS code " + code +
                                                                     " (seat codes start E14, W07, S14 or N05)");
      }
      if (looksLikePostcode(characters)) { return byPostcode(characters); }
      return bySeatName(characters);
    }

    return {resolve: resolve, seats: seats, fold: function (text) { return fold(Array.from(String(text))); }};
  }

  window.npdFinder = {create: create};
}());
