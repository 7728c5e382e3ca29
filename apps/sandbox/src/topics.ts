import { createHash } from 'node:crypto';

// Zhihu has a topic for almost anything, so the autocomplete never comes back empty: a search that
// matches nothing in the catalogue yields one topic named exactly like the search, with an id
// derived from the name (stable across restarts, and 11 digits so it never meets a catalogue id).

export interface Topic {
  id: string;
  name: string;
}

const NAMES = [
  '编程', '程序员', '前端开发', '后端开发', 'JavaScript', 'TypeScript', 'Python', 'Java', 'Go 语言', 'Rust',
  'C++', 'Node.js', 'React', 'Vue.js', 'Linux', '开源', '软件工程', '算法', '数据结构', '数据库',
  'MySQL', 'Redis', 'MongoDB', '云计算', '人工智能', '机器学习', '深度学习', '自然语言处理', '计算机视觉', '大语言模型',
  '数据分析', '互联网', '科技', '产品经理', '创业', '职场', '写作', '阅读', '读书', '心理学',
  '历史', '经济学', '金融', '投资', '教育', '健康', '运动', '旅行', '美食', '摄影',
  '电影', '音乐', '设计', '生活',
] as const;

// Made-up but Zhihu-shaped (8 digits); kept in catalogue order so ids never move.
export const CATALOGUE: readonly Topic[] = NAMES.map((name, i) => ({ id: String(19550000 + i * 17), name }));

const byId = new Map(CATALOGUE.map((t) => [t.id, t]));

function synthesizedId(name: string): string {
  const n = BigInt(`0x${createHash('md5').update(name).digest('hex').slice(0, 12)}`);
  return String(10_000_000_000n + (n % 89_999_999_999n));
}

export class TopicIndex {
  // Topics made up for a search, remembered so a publish can name them by id.
  #synthesized = new Map<string, Topic>();

  search(token: string, max: number): Topic[] {
    const query = token.trim();
    if (!query) return [];
    const q = query.toLowerCase();
    const scored = CATALOGUE.flatMap((topic, order) => {
      const name = topic.name.toLowerCase();
      if (!name.includes(q)) return [];
      const rank = name === q ? 0 : name.startsWith(q) ? 1 : 2;
      return [{ topic, rank, order }];
    });
    if (scored.length === 0) {
      const topic = { id: synthesizedId(query), name: query };
      this.#synthesized.set(topic.id, topic);
      return [topic].slice(0, max);
    }
    scored.sort((a, b) => a.rank - b.rank || a.order - b.order);
    return scored.slice(0, max).map((s) => s.topic);
  }

  byId(id: string): Topic | undefined {
    return byId.get(id) ?? this.#synthesized.get(id);
  }
}
