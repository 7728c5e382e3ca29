import { describe, expect, it } from 'vitest';
import { hasContent, htmlToText, sanitizeHtml } from './sanitize.js';

describe('sanitizeHtml', () => {
  it('keeps what Zhihu’s editor keeps', () => {
    const html =
      '<h1>一</h1><h2>二</h2><h3>三</h3><h4>四</h4><p>a<br><strong>b</strong><b>c</b><em>d</em><i>e</i><u>f</u><s>g</s><del>h</del>' +
      '<code>i</code><sup>1</sup><sub>2</sub><a href="https://zhihu.com/x?a=1&amp;b=2">l</a></p><blockquote><p>q</p></blockquote>' +
      '<ul><li>u</li></ul><ol><li>o</li></ol><pre lang="python">print(1)</pre><hr>' +
      '<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>' +
      '<figure><img src="https://pic.example/a.jpg" alt="图" data-caption="说明"><figcaption>说明</figcaption></figure>' +
      '<p><img src="//www.zhihu.com/equation?tex=x%5E2" alt="x^2" eeimg="1"></p>';
    expect(sanitizeHtml(html)).toBe(html);
  });

  it('drops scripts, styles, handlers and classes', () => {
    expect(
      sanitizeHtml(
        '<p class="a" style="color:red" onclick="x()">t<script>alert("</p>")</script><style>p{}</style></p>' +
          '<SCRIPT src=x></SCRIPT><iframe src="https://x"><p>in frame</p></iframe><svg><script>x</script><text>s</text></svg>' +
          '<template><p>tpl</p></template><!-- c --><p>end</p>',
      ),
    ).toBe('<p>t</p><p>end</p>');
  });

  it('unwraps unknown tags and links or images that are not http(s)', () => {
    expect(sanitizeHtml('<div><span>a</span> <font>b</font></div>')).toBe('a b');
    expect(sanitizeHtml('<p><a href="javascript:alert(1)">x</a><a href=" jav&#x09;ascript:alert(1)">y</a><a href="data:text/html,x">z</a><a>w</a></p>')).toBe(
      '<p>xyzw</p>',
    );
    expect(sanitizeHtml('<p><a href="&#106;avascript:alert(1)">x</a></p>')).toBe('<p>x</p>');
    expect(sanitizeHtml('<p><img src="javascript:x"><img src="data:image/png;base64,AA"><img alt="no src"></p>')).toBe('<p></p>');
    expect(sanitizeHtml('<h5>五</h5><h6>六</h6>')).toBe('<p>五</p><p>六</p>');
  });

  it('flattens code blocks to text', () => {
    expect(sanitizeHtml('<pre lang="js" class="x"><code class="language-js"><span class="k">const</span> a<br>= 1;<script>x</script></code></pre>')).toBe(
      '<pre lang="js">const a\n= 1;</pre>',
    );
    expect(sanitizeHtml('<pre lang="bad lang!">x</pre>')).toBe('<pre>x</pre>');
  });

  it('escapes attributes and stray angle brackets, and balances tags', () => {
    expect(sanitizeHtml(`<img src="https://a/b.png" alt='say "hi" <now>'>`)).toBe('<img src="https://a/b.png" alt="say &quot;hi&quot; &lt;now&gt;">');
    expect(sanitizeHtml('<p>1 < 2 <scr<script>ipt>alert(1)</script></p>')).toBe('<p>1 &lt; 2 &lt;scr</p>');
    expect(sanitizeHtml('<p><strong>open')).toBe('<p><strong>open</strong></p>');
    expect(sanitizeHtml('<p>a</strong></em>b</p></p>')).toBe('<p>ab</p>');
    expect(sanitizeHtml('<ul><li>a<li>b</ul>')).toBe('<ul><li>a<li>b</li></li></ul>');
  });

  it('changes nothing the second time', () => {
    const inputs = [
      '<p onclick=x>a &amp; b &lt; c&nbsp;d</p><img src="https://a/b" alt="&quot;">',
      '<pre><code>if (a &lt; b) {}</code></pre>',
      '<table><tr><td>x<td>y</table>',
    ];
    for (const input of inputs) {
      const once = sanitizeHtml(input);
      expect(sanitizeHtml(once)).toBe(once);
    }
  });
});

describe('text helpers', () => {
  it('reads the text a person sees', () => {
    expect(htmlToText('<p>a&amp;b</p><p>c&nbsp;d</p>')).toBe('a&b c d');
    expect(hasContent('<p> </p><p><br></p>')).toBe(false);
    expect(hasContent('<p><img src="https://a/b"></p>')).toBe(true);
    expect(hasContent('<hr>')).toBe(true);
  });
});
