import path from 'node:path';
import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import boundaries from './feature-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const srcDir = '/repo/ui/src';
const file = (rel) => path.join(srcDir, rel);
const options = [{ srcDir }];
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });

tester.run('feature-boundaries', boundaries.rules['feature-boundaries'], {
  valid: [
    { name: 'feature imports its own internals', filename: file('features/partners/index.ts'), code: "export { PartnersPage } from './components/PartnersPage';", options },
    { name: 'feature imports another feature’s public entry', filename: file('features/disputes/components/X.tsx'), code: "import { useMeta } from '@/features/meta';", options },
    { name: 'feature imports another feature’s index file', filename: file('features/disputes/components/X.tsx'), code: "import { useMeta } from '../../meta/index';", options },
    { name: 'feature imports shared lib and components', filename: file('features/disputes/components/X.tsx'), code: "import { api } from '@/lib/api'; import { EmptyState } from '../../../components/EmptyState';", options },
    { name: 'app imports feature entries lazily', filename: file('app/routes.tsx'), code: "const P = () => import('@/features/partners');", options },
    { name: 'packages are not policed', filename: file('lib/x.ts'), code: "import { useQuery } from '@tanstack/react-query';", options },
    { name: 'test helpers may reach anywhere', filename: file('test/render.tsx'), code: "import { routes } from '@/app/routes';", options },
  ],
  invalid: [
    { name: 'alias import of another feature’s internals', filename: file('features/disputes/components/X.tsx'), code: "import { PartnersPage } from '@/features/partners/components/PartnersPage';", options, errors: [{ messageId: 'featureInternals' }] },
    { name: 'relative import of another feature’s internals', filename: file('features/disputes/components/X.tsx'), code: "import { PartnersPage } from '../../partners/components/PartnersPage';", options, errors: [{ messageId: 'featureInternals' }] },
    { name: 're-export of another feature’s internals', filename: file('features/disputes/index.ts'), code: "export * from '../partners/api/partners';", options, errors: [{ messageId: 'featureInternals' }] },
    { name: 'app importing a feature’s internals', filename: file('app/routes.tsx'), code: "const P = () => import('@/features/partners/components/PartnersPage');", options, errors: [{ messageId: 'featureInternals' }] },
    { name: 'shared lib importing a feature', filename: file('lib/api.ts'), code: "import { useMeta } from '@/features/meta';", options, errors: [{ messageId: 'sharedLayer' }] },
    { name: 'shared component importing the app', filename: file('components/EmptyState.tsx'), code: "import { routes } from '../app/routes';", options, errors: [{ messageId: 'sharedLayer' }] },
    { name: 'feature importing the app', filename: file('features/partners/components/PartnersPage.tsx'), code: "import { navItems } from '@/app/navigation';", options, errors: [{ messageId: 'featureImportsApp' }] },
  ],
});
