import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hanRuns, latinSentences, note, taskError, type TaskError } from '@zpub/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArticle } from './article-file';
import { langOf, TEXTS, useLang, type CliTexts } from './i18n';
import { Progress, type Line } from './progress';
import { displayWidth } from './width';

describe('the language zpub speaks', () => {
  it('follows ZPUB_LANG, else the locale; Chinese when the locale names no language', () => {
    expect(langOf({})).toBe('zh-CN');
    expect(langOf({ LANG: 'C.UTF-8' })).toBe('zh-CN');
    expect(langOf({ LANG: 'POSIX' })).toBe('zh-CN');
    expect(langOf({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(langOf({ LANG: 'zh_TW.UTF-8' })).toBe('zh-CN');
    expect(langOf({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(langOf({ LANG: 'de_DE.UTF-8' })).toBe('en');
    // LC_ALL wins over LANG, ZPUB_LANG over both.
    expect(langOf({ LC_ALL: 'en_GB.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(langOf({ ZPUB_LANG: 'zh', LC_ALL: 'en_GB.UTF-8' })).toBe('zh-CN');
    expect(langOf({ ZPUB_LANG: 'en', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(langOf({ ZPUB_LANG: ' ', LANG: 'en_US.UTF-8' })).toBe('en');
  });
});

const failed: TaskError = taskError('IMAGE_UPLOAD_FAILED', note('imageRehostRefused', { image: 'https://example.com/a.png', status: 502, said: '上传失败' }));

/** Arguments for the entries whose parameters are not plain text or numbers. */
function argsFor(key: keyof CliTexts): unknown[] {
  switch (key) {
    case 'summary':
      return [{ wait: true, published: 2, submitted: 3, drafted: 1, failed: 1, unchanged: 4, bad: 1 }];
    case 'takesNoOption':
      return ['甲', ['wait', 'draft']];
    case 'noAccount':
      return ['甲', ['乙', '丙'], 'http://127.0.0.1:3000'];
    case 'wrongShape':
      return [['title', 'topics']];
    case 'frontMatterProblems':
      return [
        [
          { key: 'title', kind: 'list' },
          { key: 'draft', kind: 'notBoolean', value: '也许' },
          { key: 'zhihu-link', kind: 'notArticleLink', value: 'https://www.zhihu.com/people/x' },
        ],
      ];
    case 'batchCounts':
      return ['0123456789abcdef01234567', [['success', 2], ['failed', 1]]];
    case 'batchSteered':
      return ['0123456789abcdef01234567', 'cancel', 1, 2];
    case 'serverRefusal':
      return [{ code: 'CONFLICT', appCode: 'TASK_STATE', params: { action: 'cancel', status: 'success' }, retryAfterS: null }, 'Cannot cancel a task that is success'];
    case 'skipReason':
      return [{ code: 'TASK_PAST_CLICK', reason: 'Cannot cancel: the task clicked publish', status: 'running' }, 'cancel'];
    case 'statusWord':
      return ['success', true];
    case 'stageWord':
      return ['verified'];
    case 'taskError':
      return [failed, false];
    case 'unconfirmed':
      return [note('unconfirmedNoPage', { seconds: 30, button: '发布', update: false })];
    case 'refusedByServer':
      return ['TOO_MANY_TOPICS', 'topics: Too big: expected array to have <=3 items'];
    case 'articleRefused':
      return ['TITLE_TOO_LONG', 'title: Too big'];
    case 'accountState':
      return ['active'];
    case 'stillRunning':
    case 'notPublished':
    case 'steered':
      return ['甲.md', '0123456789abcdef01234567', 'running'];
    case 'imageUploadFailed':
      return ['img/a.png', '/home/me/img/a.png', 413, 'The image is larger than the limit'];
    default:
      return ['甲', '乙', '丙', '丁'].slice(0, 4);
  }
}

/** The same facts with their Chinese made Latin (data in an English sentence is not what is checked). */
function latinData(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\p{Script=Han}+/gu, 'x');
  if (Array.isArray(value)) return value.map(latinData);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, latinData(v)]));
  return value;
}

/** Every sentence of a catalogue, each entry said once with sample facts. */
function sentences(texts: CliTexts, facts: (args: unknown[]) => unknown[] = (a) => a): [string, string][] {
  return (Object.keys(texts) as (keyof CliTexts)[]).map((key) => {
    const entry = texts[key] as unknown;
    const said = typeof entry === 'function' ? (entry as (...a: unknown[]) => unknown)(...facts(argsFor(key))) : entry;
    return [key, Array.isArray(said) ? said.join(' | ') : String(said)];
  });
}

describe('the catalogues', () => {
  it('say nothing in English in Chinese: no run of three Latin-script words outside data', () => {
    const english = sentences(TEXTS['zh-CN']).filter(([, s]) => latinSentences(s).length > 0);
    expect(english).toEqual([]);
  });

  it('say nothing in Chinese in English, but Zhihu\u2019s own button name 发布', () => {
    const chinese = sentences(TEXTS.en, (a) => a.map(latinData)).filter(([, s]) => hanRuns(s).some((run) => run !== '发布'));
    expect(chinese).toEqual([]);
  });

  it('line up the help\u2019s descriptions in one column, wide characters counted twice', () => {
    for (const texts of Object.values(TEXTS)) {
      // A command with its description, or a description's next line.
      const lines = texts.usage.split('\n').filter((l) => /^ {2}zpub .*\S {2,}\S/.test(l) || /^ {20,}\S/.test(l));
      expect(lines.length).toBeGreaterThanOrEqual(7);
      const columns = lines.map((l) => {
        const m = /^(\s*\S.*?\S)?( {2,})(?=\S)/.exec(l);
        return displayWidth(`${m?.[1] ?? ''}${m?.[2] ?? ''}`);
      });
      expect(columns, texts.usage).toEqual(lines.map(() => 48));
    }
  });

  it("say a task's error as what happened, then what to do", () => {
    expect(TEXTS['zh-CN'].taskError(failed, false)).toBe(
      '知乎没有转存图片 https://example.com/a.png（HTTP 502：“上传失败”）。文章中的图片未能上传到知乎，文章尚未发布：系统会自动重试；若一直失败，请检查图片能否打开后重试',
    );
    expect(TEXTS.en.taskError(failed, false)).toMatch(/^Zhihu did not re-host the image https:\/\/example\.com\/a\.png .*An image of the article could not be uploaded/);
    expect(TEXTS['zh-CN'].serverRefusal({ code: 'CONFLICT', appCode: 'TASK_STATE', params: { action: 'cancel', status: 'success' }, retryAfterS: null }, 'x')).toBe('状态为“已发布”，不能取消');
    expect(TEXTS['zh-CN'].serverRefusal({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', params: {}, retryAfterS: 12 }, 'x')).toBe('操作太频繁，请 12 秒后再试');
  });
});

describe('a file read in Chinese', () => {
  let dir: string;
  beforeAll(async () => {
    useLang('zh-CN');
    dir = await mkdtemp(join(tmpdir(), 'zpub-i18n-'));
  });
  afterAll(async () => {
    useLang('en');
    await rm(dir, { recursive: true, force: true });
  });

  it('names what is wrong in Chinese', async () => {
    const read = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return readArticle(join(dir, name), name);
    };
    expect(await read('a.md', '只有正文\n')).toMatchObject({ problem: '没有标题：请在文件开头信息里写 “title:”，或用一行 “# 标题” 开始正文', code: 'TITLE_REQUIRED' });
    expect(await read('b.md', '# 标题\n\n![图](img/gone.png)\n')).toMatchObject({ problem: `找不到图片 img/gone.png（查找的是 ${join(dir, 'img', 'gone.png')}）` });
    expect(await read('c.md', '---\ndraft: 也许\n---\n# 标题\n正文\n')).toMatchObject({ problem: '文件开头信息：draft 只能是 true 或 false，这里写的是 “也许”' });
    expect(await read('d.md', `---\ntopics: [一, 二, 三, 四]\n---\n# 标题\n正文\n`)).toMatchObject({ problem: '话题最多 3 个（知乎的限制）', code: 'TOO_MANY_TOPICS' });
  });

  it('draws progress lines in Chinese', () => {
    const written: string[] = [];
    const lines = new Map<string, Line>([['t1', { name: '甲.md', status: 'pending', progress: 0, stage: 'created', v: -1 }]]);
    const progress = new Progress({ write: (s) => written.push(s) }, lines, false);
    progress.apply({ taskId: 't1', status: 'running', progress: 40, stage: 'editor', v: 3 });
    progress.apply({ taskId: 't1', status: 'success', progress: 100, stage: 'verified', v: 5, result: { url: 'http://127.0.0.1:4100/p/123456789012345', articleId: '123456789012345' } });
    expect(written).toEqual(['[########------------]  40%  发布中  甲.md (已填写编辑器)\n', '[####################] 100%  已发布  甲.md (已验证发布)  http://127.0.0.1:4100/p/123456789012345\n']);
  });
});
