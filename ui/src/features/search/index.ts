// Public entry of the global search (issue 13): the header's search box and its query.
export { searchQuery, KIND_TITLES } from './api/search';
export { SearchBox } from './components/SearchBox';
