import { describe, expect, it } from 'vitest';
import { parseColumns } from './columns';
import { readContentPublish, refusalError } from './outcome';
import { decodeEntities, sameTitle } from './content';
import { articleFromInitialData } from './proof';

describe("today's content/publish answer", () => {
  it('is a success only when it says so, a refusal when HTTP 200 carries a code', () => {
    expect(readContentPublish(200, JSON.stringify({ message: 'success', data: { result: '{}' } }))).toEqual({ ok: true });
    expect(readContentPublish(200, JSON.stringify({ code: 4031, message: '根据国家法律法规要求，发布内容前需要绑定手机号。' }))).toEqual({
      ok: false,
      code: 4031,
      message: '根据国家法律法规要求，发布内容前需要绑定手机号。',
    });
    expect(readContentPublish(401, JSON.stringify({ error: { code: 100, message: '请求参数异常' } }))).toMatchObject({ ok: false, code: 100 });
    // Neither success nor a code: nothing to conclude, proof decides.
    expect(readContentPublish(200, '{"data":{}}')).toBeNull();
    expect(readContentPublish(200, 'not json')).toBeNull();
  });

  it('turns refusals into codes a person can act on', () => {
    expect(refusalError({ status: 200, code: 40352, message: '验证' }).code).toBe('CAPTCHA_REQUIRED');
    expect(refusalError({ status: 200, code: 4031, message: '绑定手机' }).code).toBe('PHONE_BINDING_REQUIRED');
    expect(refusalError({ status: 200, code: 10002, message: '请至少添加一个话题' }).code).toBe('TOPIC_REQUIRED');
    expect(refusalError({ status: 200, code: 10001, message: '发布失败，请稍后重试' })).toMatchObject({ code: 'PUBLISH_REJECTED', retryable: true });
    expect(refusalError({ status: 401, code: 100, message: 'x' }).code).toBe('LOGIN_EXPIRED');
  });
});

describe('proof data', () => {
  it('reads the article under its id as a key and compares titles with entities decoded', () => {
    const id = '1234567890123456789';
    const json = `{"initialState":{"entities":{"articles":{"${id}":{"id":${id},"title":"A &amp; B","state":"published"}}}}}`;
    expect(articleFromInitialData(json, id)).toEqual({ state: 'published', title: 'A &amp; B' });
    expect(articleFromInitialData(json, '1234567890123456780')).toBeNull();
    expect(articleFromInitialData('<html>', id)).toBeNull();
    expect(sameTitle('A &amp; B', 'A & B')).toBe(true);
    expect(sameTitle('A & B', 'A & C')).toBe(false);
    expect(decodeEntities('&#x4E2D;&#25991;&lt;')).toBe('中文<');
  });
});

describe('columns', () => {
  it('reads id and title of each column and whether more pages follow', () => {
    const page = { paging: { is_end: false }, data: [{ column: { id: 'c_1', title: '甲' } }, { column: { id: 2, title: 'bad' } }, {}] };
    expect(parseColumns(JSON.stringify(page))).toEqual({ columns: [{ id: 'c_1', title: '甲' }], end: false });
    expect(parseColumns(JSON.stringify({ data: [] })).end).toBe(true);
    expect(() => parseColumns('{"error":{}}')).toThrow(/no data list/);
  });
});
