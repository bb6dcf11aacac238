//! XDG paths. The XDG variables are honoured when set on every OS; otherwise the
//! platform default from `directories`.

use std::path::{Path, PathBuf};

fn xdg(
    var: &str,
    fallback: impl FnOnce(&directories::ProjectDirs) -> Option<PathBuf>,
) -> Option<PathBuf> {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(v);
        if p.is_absolute() {
            return Some(p.join("resou"));
        }
    }
    directories::ProjectDirs::from("", "", "resou").and_then(|d| fallback(&d))
}

/// `$XDG_CONFIG_HOME/resou` (config.toml, keymap.toml).
pub fn config_dir() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME", |d| Some(d.config_dir().to_path_buf()))
}

/// `$XDG_STATE_HOME/resou` (resou.log).
pub fn state_dir() -> Option<PathBuf> {
    xdg("XDG_STATE_HOME", |d| {
        d.state_dir()
            .map(|p| p.to_path_buf())
            .or_else(|| Some(d.data_local_dir().to_path_buf()))
    })
}

/// `$XDG_DATA_HOME/resou` (history, detector state — later issues).
pub fn data_dir() -> Option<PathBuf> {
    xdg("XDG_DATA_HOME", |d| Some(d.data_dir().to_path_buf()))
}

pub fn config_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

pub fn keymap_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("keymap.toml"))
}

pub fn log_file() -> Option<PathBuf> {
    state_dir().map(|d| d.join("resou.log"))
}

/// The permission bits of a secrets file when group or others may read it (`None`: private,
/// e.g. 0600). One rule for every secret the app reads from a file (cookies, push keys).
#[cfg(unix)]
pub fn exposed_mode(path: &Path) -> std::io::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    Ok((mode & 0o077 != 0).then_some(mode))
}

#[cfg(not(unix))]
pub fn exposed_mode(path: &Path) -> std::io::Result<Option<u32>> {
    std::fs::metadata(path).map(|_| None)
}
