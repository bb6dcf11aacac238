//! View (TEMPORARY stub on main until the ui branch lands).
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::state::AppState;

pub fn render(frame: &mut Frame, state: &AppState) {
    let text: Vec<String> = state
        .rows
        .iter()
        .map(|r| r.topic.title.to_string())
        .collect();
    frame.render_widget(
        ratatui::widgets::Paragraph::new(text.join("\n")),
        frame.area(),
    );
}

pub fn board_page_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}
