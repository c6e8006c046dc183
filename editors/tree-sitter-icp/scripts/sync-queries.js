#!/usr/bin/env node
// Copies the queries of this grammar to the editors that load them from elsewhere:
//
//   queries/*.scm  ->  editors/nvim/queries/icp/*.scm            (as they are: nvim-treesitter
//                                                                 capture names)
//   queries/highlights.scm, locals.scm
//                  ->  editors/helix/runtime/queries/icp/*.scm   (with Helix's capture names)
//
// Helix's indents.scm follows Helix's own conventions and is written by hand there.
//
//   node scripts/sync-queries.js           write the copies
//   node scripts/sync-queries.js --check   fail if a copy is not what this script writes
'use strict';

const fs = require('fs');
const path = require('path');

const here = path.resolve(__dirname, '..');
const editors = path.resolve(here, '..');
const nvimDir = path.join(editors, 'nvim', 'queries', 'icp');
const helixDir = path.join(editors, 'helix', 'runtime', 'queries', 'icp');

/** nvim-treesitter capture name -> Helix scope. */
const HELIX = {
  comment: 'comment.line',
  string: 'string',
  'string.escape': 'constant.character.escape',
  number: 'constant.numeric',
  'number.float': 'constant.numeric.float',
  boolean: 'constant.builtin.boolean',
  constant: 'type.enum.variant',
  'constant.builtin': 'constant.builtin',
  keyword: 'keyword',
  'keyword.import': 'keyword.control.import',
  'keyword.conditional': 'keyword.control.conditional',
  'keyword.operator': 'keyword.operator',
  'keyword.type': 'keyword.storage.type',
  'function.builtin': 'function.builtin',
  'function.call': 'function',
  function: 'function',
  'variable.builtin': 'variable.builtin',
  'variable.member': 'variable.other.member',
  variable: 'variable',
  type: 'type',
  'type.builtin': 'type.builtin',
  'type.definition': 'type',
  label: 'label',
  operator: 'operator',
  'punctuation.bracket': 'punctuation.bracket',
  'punctuation.delimiter': 'punctuation.delimiter',
};

/**
 * Helix colours a reference like its definition: `@local.definition.SCOPE` takes a Helix
 * scope, where nvim-treesitter takes a kind.
 */
const HELIX_LOCALS = {
  'local.scope': 'local.scope',
  'local.reference': 'local.reference',
  'local.definition.var': 'local.definition.variable',
  'local.definition.field': 'local.definition.variable.other.member',
  'local.definition.function': 'local.definition.type',
};

const HEADER = (source) =>
  `; GENERATED from editors/tree-sitter-icp/queries/${source} by\n` +
  '; editors/tree-sitter-icp/scripts/sync-queries.js: edit that file, then run the script.\n\n';

/** Every `@capture` of a query, outside strings and comments. */
function renameCaptures(text, map, file) {
  const unknown = new Set();
  const out = text.replace(/("(?:[^"\\]|\\.)*")|(;[^\n]*)|@([A-Za-z_][\w.]*)/g, (m, str, com, name) => {
    if (str || com) return m;
    if (!(name in map)) {
      unknown.add(name);
      return m;
    }
    return '@' + map[name];
  });
  if (unknown.size) {
    throw new Error(`${file}: no Helix scope for ${[...unknown].map((n) => '@' + n).join(', ')}: add it to the map in ${__filename}`);
  }
  return out;
}

function outputs() {
  const files = new Map();
  const queries = path.join(here, 'queries');
  for (const name of fs.readdirSync(queries).sort()) {
    if (!name.endsWith('.scm')) continue;
    const text = fs.readFileSync(path.join(queries, name), 'utf8');
    files.set(path.join(nvimDir, name), HEADER(name) + text);
    if (name === 'highlights.scm') {
      files.set(path.join(helixDir, name), HEADER(name) + renameCaptures(text, HELIX, name));
    } else if (name === 'locals.scm') {
      files.set(path.join(helixDir, name), HEADER(name) + renameCaptures(text, HELIX_LOCALS, name));
    }
  }
  return files;
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [file, text] of outputs()) {
    const rel = path.relative(path.resolve(editors, '..'), file);
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (old === text) continue;
    if (check) {
      stale.push(rel);
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      console.log(`wrote ${rel}`);
    }
  }
  if (stale.length) {
    console.error(`not in sync with editors/tree-sitter-icp/queries: ${stale.join(', ')}`);
    console.error('run: node editors/tree-sitter-icp/scripts/sync-queries.js');
    process.exit(1);
  }
}

main();
