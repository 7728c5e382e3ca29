/**
 * Imported first by main.tsx. Zod 4 probes for `new Function` to compile fast parsers; under the
 * SPA's CSP (no 'unsafe-eval') the probe fails harmlessly but is still reported as a violation, so
 * the SPA parses without compiling (zod's `jitless`, which also skips the probe).
 */
import { z } from 'zod';

z.config({ jitless: true });
