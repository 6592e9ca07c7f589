// zod 4 compiles object parsers with `new Function` when it can, and probes for that by calling it:
// under script-src 'self' (no 'unsafe-eval') the probe is a CSP violation. Ask for the interpreter.
import { z } from 'zod';

z.config({ jitless: true });
