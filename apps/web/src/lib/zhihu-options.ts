/**
 * Zhihu's publish settings as people write them in front matter: the wire values of
 * zhihu-options.ts, or the names Zhihu's editor shows. The statement names follow
 * dongguaguaguagua/zhihu_obsidian `src/disclaimer.ts` (2026), spacing and case aside.
 */
import type { ColumnView, CommentPermission, CreationStatement } from '@zpub/shared';

/** Case and spaces do not matter: 包含 AI 辅助创作 = 包含AI辅助创作 = 包含ai辅助创作. */
const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();

const STATEMENTS: Record<CreationStatement, string[]> = {
  none: ['none', '无', '无声明', '不声明'],
  spoiler: ['spoiler', '包含剧透', '内容包含剧透', '剧透'],
  medical_advice: ['medical_advice', '包含医疗建议', '内容包含医疗建议', '医疗建议'],
  fictional_creation: ['fictional_creation', '虚构创作', '虚构'],
  contain_finance: ['contain_finance', '包含理财内容', '理财内容', '理财'],
  ai_creation: ['ai_creation', '包含AI辅助创作', 'AI辅助创作', 'AI创作'],
};

const COMMENTS: Record<CommentPermission, string[]> = {
  anyone: ['anyone', '所有人可评论', '所有人', '允许评论', 'true', 'yes', 'on'],
  followee: ['followee', '仅关注的人可评论', '关注的人可评论', '仅我关注的人可评论', '我关注的人可评论', '关注的人'],
  censor: ['censor', '评论需审核', '需审核', '审核后展示'],
  nobody: ['nobody', '关闭评论', '关闭', '不允许评论', 'false', 'no', 'off'],
};

function lookup<T extends string>(table: Record<T, string[]>, text: string): T | undefined {
  const key = norm(text);
  for (const [value, names] of Object.entries(table) as [T, string[]][]) {
    if (names.some((n) => norm(n) === key)) return value;
  }
  return undefined;
}

/** The statement a name stands for; an unknown name is returned as it is, for the check to refuse. */
export function statementOf(text: string): string {
  return lookup(STATEMENTS, text) ?? text.trim();
}

export function commentPermissionOf(text: string): string {
  return lookup(COMMENTS, text) ?? text.trim();
}

/**
 * A column as written: its id, its address (`https://zhuanlan.zhihu.com/<id>`), or, when the
 * account's columns are known, its title.
 */
export function columnOf(text: string, known: readonly ColumnView[] | undefined): string {
  const value = text.trim();
  const byTitle = known?.find((c) => c.title.trim() === value);
  if (byTitle) return byTitle.id;
  const address = /^https?:\/\/zhuanlan\.zhihu\.com\/([A-Za-z0-9_-]+)\/?$/.exec(value);
  return address?.[1] ?? value;
}
