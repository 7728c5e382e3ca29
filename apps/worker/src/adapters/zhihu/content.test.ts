import { describe, expect, it } from 'vitest';
import { classify } from '../../jobs/publish';
import { PublishError } from '../../errors';
import { bodySignature, sameBody, shows } from './content';
import { draftHolds } from './draft';

const HASH_A = 'v2-0123456789abcdef0123456789abcdef';
const HASH_B = 'v2-fedcba9876543210fedcba9876543210';

describe('what proves an update: the new body, not only the title', () => {
  const pasted = `<h2>小节</h2><p>第一段 &amp; <strong>加粗</strong></p>\n<figure><img src="http://127.0.0.1:3100/${HASH_A}.png"><figcaption>图</figcaption></figure>`;

  it('ignores markup, whitespace and how Zhihu names image sizes and hosts', () => {
    // How Zhihu may render the same body: other tags, a lazy-loading copy in noscript, sized hosted names.
    const live = `<h2 data-first-child="">小节</h2>
<p>第一段 &#38; <b>加粗</b></p><figure data-size="normal"><noscript><img src="https://pic4.zhimg.com/${HASH_A}_b.jpg"></noscript><img src="data:image/svg+xml;utf8,&lt;svg/&gt;" data-actualsrc="https://pic4.zhimg.com/${HASH_A}_720w.jpg"><figcaption>图</figcaption></figure>`;
    expect(sameBody(bodySignature(live), bodySignature(pasted))).toBe(true);
    expect(bodySignature(pasted)).toEqual({ text: '小节第一段&加粗图', images: [HASH_A] });
  });

  it('tells a stale version from the new one by a changed word or a changed image', () => {
    // The same words without the image.
    expect(sameBody(bodySignature('<h2>小节</h2><p>第一段 &amp; 加粗</p><p>图</p>'), bodySignature(pasted))).toBe(false);
    expect(sameBody(bodySignature(pasted.replace('第一段', '旧的一段')), bodySignature(pasted))).toBe(false);
    expect(sameBody(bodySignature(pasted.replace(HASH_A, HASH_B)), bodySignature(pasted))).toBe(false);
    expect(sameBody(bodySignature(pasted.replace('<figure>', `<p><img src="https://pic1.zhimg.com/${HASH_B}.jpg"></p><figure>`)), bodySignature(pasted))).toBe(false);
  });

  it('asks a new article for its title only, an update for its title and its body', () => {
    const expected = { title: 'A & B', body: bodySignature(pasted) };
    expect(shows({ title: 'A &amp; B', content: pasted }, expected)).toBe(true);
    // The old version: same title, old body.
    expect(shows({ title: 'A & B', content: '<p>旧正文</p>' }, expected)).toBe(false);
    // A page that does not carry the body cannot prove an update.
    expect(shows({ title: 'A & B' }, expected)).toBe(false);
    expect(shows({ title: 'A & B' }, { title: 'A & B' })).toBe(true);
    expect(shows({ title: 'A & C', content: pasted }, expected)).toBe(false);
  });
});

describe('a saved draft', () => {
  const body = bodySignature('<p>新正文</p>');

  it('holds the task only once answered saves carried both its title and its body', () => {
    expect(draftHolds({ title: '标题', content: '<p>新正文</p>' }, '标题', body)).toBe(true);
    // The first save of a new draft carries the title before the body was pasted.
    expect(draftHolds({ title: '标题', content: '' }, '标题', body)).toBe(false);
    expect(draftHolds({ title: null, content: '<p>新正文</p>' }, '标题', body)).toBe(false);
    expect(draftHolds({ title: '旧标题', content: '<p>新正文</p>' }, '标题', body)).toBe(false);
  });
});

describe('an article that cannot be updated', () => {
  it('ends the task at once: not retried, and it says what to check', () => {
    const gone = new PublishError('ARTICLE_NOT_FOUND', 'Article 1234567890123456789 belongs to another Zhihu account');
    expect(classify(gone, false, new AbortController().signal)).toMatchObject({ code: 'ARTICLE_NOT_FOUND', retryable: false });
    expect(gone.message).toMatch(/^Article 1234567890123456789 belongs to another Zhihu account\. .*Check the article id/);
  });
});
