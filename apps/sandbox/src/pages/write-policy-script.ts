// The editor's copy of the server's HTML policy (src/sanitize.ts): what a paste keeps. Part of the
// editor script (write-script.ts), spliced into its closure; plain ES2020 in a String.raw.

export const POLICY_SCRIPT = String.raw`
  // ---------- HTML policy (mirrors src/sanitize.ts) ----------
  var BREAK = {};

  function safeUrl(value, allowProtocolRelative) {
    var v = value.trim();
    if (!v || v.length > POLICY.maxAttrLength) return false;
    if (allowProtocolRelative && v.indexOf('//') === 0) return safeUrl('https:' + v, false);
    try {
      var url = new URL(v);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch (e) {
      return false;
    }
  }

  function copyAttributes(src, dst, tag) {
    var names = ALLOWED[tag];
    for (var i = 0; i < names.length; i++) {
      var name = names[i];
      var value = src.getAttribute(name);
      if (value === null) continue;
      if (name === 'href' || name === 'src') {
        if (!safeUrl(value, name === 'src')) return false;
        value = value.trim();
      } else if (name === 'lang') {
        if (!LANG.test(value)) continue;
      } else {
        value = value.slice(0, POLICY.maxAttrLength);
      }
      dst.setAttribute(name, value);
    }
    if (tag === 'a' && !src.hasAttribute('href')) return false;
    if (tag === 'img' && !src.hasAttribute('src')) return false;
    return true;
  }

  function codeText(node) {
    if (node.nodeType === 3) return node.nodeValue;
    if (node.nodeType !== 1 && node.nodeType !== 11) return '';
    if (node.nodeType === 1) {
      if (DROP.has(node.localName)) return '';
      if (node.localName === 'br') return '\n';
    }
    var text = '';
    for (var c = node.firstChild; c; c = c.nextSibling) text += codeText(c);
    return text;
  }

  function cleanChildren(node) {
    var out = [];
    for (var c = node.firstChild; c; c = c.nextSibling) out = out.concat(cleanNode(c));
    return out;
  }

  function appendAll(el, items) {
    items.forEach(function (item) {
      if (item !== BREAK) el.appendChild(item);
    });
  }

  function cleanNode(node) {
    if (node.nodeType === 3) return [document.createTextNode(node.nodeValue)];
    if (node.nodeType !== 1) return [];
    var raw = node.localName;
    if (DROP.has(raw)) return [];
    var tag = POLICY.renamed[raw] || raw;
    if (!Object.prototype.hasOwnProperty.call(ALLOWED, tag)) {
      var kids = cleanChildren(node);
      return CONTAINERS.has(raw) ? [BREAK].concat(kids, [BREAK]) : kids;
    }
    var el = document.createElement(tag);
    if (!copyAttributes(node, el, tag)) return tag === 'img' ? [] : cleanChildren(node);
    if (tag === 'pre') {
      if (!el.hasAttribute('lang')) {
        var code = node.querySelector('code[class*="language-"]');
        var m = code && /(?:^|\s)language-([A-Za-z0-9_+#.-]{1,30})(?:\s|$)/.exec(code.className);
        if (m) el.setAttribute('lang', m[1]);
      }
      el.textContent = codeText(node);
      return [el];
    }
    if (!VOIDS.has(tag)) appendAll(el, cleanChildren(node));
    return [el];
  }

  function meaningful(el) {
    return el.textContent.trim() !== '' || el.querySelector('img,hr,table') !== null;
  }

  // Draft.js holds blocks: loose inline content becomes paragraphs, empty paragraphs vanish.
  function sanitize(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    var items = cleanChildren(tpl.content);
    var out = document.createElement('div');
    var para = null;
    function flush() {
      if (para && meaningful(para)) out.appendChild(para);
      para = null;
    }
    items.forEach(function (item) {
      if (item === BREAK) return flush();
      if (item.nodeType === 1 && BLOCKS.has(item.localName)) {
        flush();
        if (/^(p|h[1-4])$/.test(item.localName) && !meaningful(item)) return;
        out.appendChild(item);
        return;
      }
      if (!para) {
        if (item.nodeType === 3 && item.nodeValue.trim() === '') return;
        para = document.createElement('p');
      }
      para.appendChild(item);
    });
    flush();
    return out.innerHTML;
  }

  function textToHtml(text) {
    var div = document.createElement('div');
    return text
      .split(/\r?\n/)
      .filter(function (line) { return line.trim() !== ''; })
      .map(function (line) {
        div.textContent = line;
        return '<p>' + div.innerHTML + '</p>';
      })
      .join('');
  }

`;
