// ESLint rule that keeps the UI's layers apart (see DESIGN.md, "Layout"):
//
//   src/app                     may import anything below it
//   src/features/<name>         may import src/components, src/lib and another
//                               feature only through its public entry
//                               (@/features/<name>, i.e. its index.ts)
//   src/components, src/lib     shared layers: never import app or features
//
// Imports are resolved to files first, so `../../disputes/components/X` is caught
// the same way as `@/features/disputes/components/X`.
import path from 'node:path';

const SHARED_LAYERS = new Set(['components', 'lib']);
const INDEX_FILES = ['index.ts', 'index.tsx'];

/** Where a file sits: its top-level folder under src/ and, for features, the feature name. */
function locate(srcDir, file) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  const layer = parts.length > 1 ? parts[0] : '(root)';
  const feature = layer === 'features' ? parts[1] : undefined;
  const rest = layer === 'features' ? parts.slice(2) : parts.slice(1);
  return { layer, feature, rest };
}

function resolveSpecifier(srcDir, fromFile, spec) {
  if (spec.startsWith('@/')) return path.join(srcDir, spec.slice(2));
  if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..') {
    return path.resolve(path.dirname(fromFile), spec);
  }
  return null; // a package: not ours to police
}

/** True when the import names a feature's public entry: the folder itself or its index file. */
function isPublicEntry(target) {
  if (target.rest.length === 0) return true;
  if (target.rest.length !== 1) return false;
  const name = target.rest[0];
  return name === 'index' || INDEX_FILES.includes(name);
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep features from importing each other’s internals and shared layers from importing features.' },
    schema: [
      {
        type: 'object',
        properties: { srcDir: { type: 'string' } },
        required: ['srcDir'],
        additionalProperties: false,
      },
    ],
    messages: {
      featureInternals:
        'Import feature "{{feature}}" only through its public entry "@/features/{{feature}}", not its internals.',
      sharedLayer: 'src/{{layer}} is shared code and must not import from src/{{target}}.',
      featureImportsApp: 'Features must not import from src/app; pass what they need in as props or move it to src/lib.',
    },
  },
  create(context) {
    const srcDir = path.resolve(context.options[0].srcDir);
    const from = locate(srcDir, context.filename);
    if (!from || from.layer === 'test') return {};

    function check(node) {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const resolved = resolveSpecifier(srcDir, context.filename, source.value);
      if (!resolved) return;
      const to = locate(srcDir, resolved);
      if (!to) return;

      if (to.layer === 'features' && to.feature !== from.feature && !isPublicEntry(to)) {
        context.report({ node: source, messageId: 'featureInternals', data: { feature: to.feature } });
        return;
      }
      if (SHARED_LAYERS.has(from.layer) && (to.layer === 'features' || to.layer === 'app')) {
        context.report({ node: source, messageId: 'sharedLayer', data: { layer: from.layer, target: to.layer } });
        return;
      }
      if (from.layer === 'features' && to.layer === 'app') {
        context.report({ node: source, messageId: 'featureImportsApp' });
      }
    }

    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default {
  meta: { name: 'partnerdesk-boundaries' },
  rules: { 'feature-boundaries': rule },
};
