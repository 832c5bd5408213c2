// Public entry of the meta feature: build and environment facts from GET /api/v1/meta.
export { metaQuery, useMeta } from './api/meta';
export { DemoBadge } from './components/DemoBadge';
export { VersionText } from './components/VersionText';
