//! The user's sentiment lexicon: `sentiment.txt` in the config directory (`word weight` a
//! line; see [`crate::sentiment::UserLexicon`]). Errors name the file and line.

use std::path::{Path, PathBuf};

use super::ConfigError;
use crate::paths;
use crate::sentiment::UserLexicon;

/// `$XDG_CONFIG_HOME/resou/sentiment.txt`.
pub fn lexicon_file() -> Option<PathBuf> {
    paths::config_dir().map(|d| d.join("sentiment.txt"))
}

/// Load `explicit`, else the default file when it exists; `None` when there is none.
pub fn user_lexicon(explicit: Option<&Path>) -> Result<Option<UserLexicon>, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match lexicon_file() {
            Some(p) if p.exists() => p,
            _ => return Ok(None),
        },
    };
    let shown = path.display().to_string();
    let src = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        source: e,
    })?;
    UserLexicon::parse(&src, &shown)
        .map(Some)
        .map_err(|e| ConfigError::Invalid {
            path: e.path,
            line: e.line,
            problem: e.problem,
        })
}
