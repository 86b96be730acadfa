package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

func (s *SQLite) settings() SettingRow {
	return SettingRow{
		Get: func(ctx context.Context, name string) (string, error) {
			var v string
			err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
			if errors.Is(err, sql.ErrNoRows) {
				return "", nil
			}
			if err != nil {
				return "", fmt.Errorf("read setting %s: %w", name, err)
			}
			return v, nil
		},
		Put: func(ctx context.Context, name, value string) error {
			_, err := s.db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
			if err != nil {
				return fmt.Errorf("write setting %s: %w", name, err)
			}
			return nil
		},
	}
}

// WidgetSettings implements Settings.
func (s *SQLite) WidgetSettings(ctx context.Context) (WidgetSettings, error) {
	return s.settings().Widget(ctx)
}

// SetWidgetSettings implements Settings.
func (s *SQLite) SetWidgetSettings(ctx context.Context, w WidgetSettings) error {
	return s.settings().SetWidget(ctx, w)
}
