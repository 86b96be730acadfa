package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

func (s *Store) settings() store.SettingRow {
	return store.SettingRow{
		Get: func(ctx context.Context, name string) (string, error) {
			var v string
			err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
			if errors.Is(err, pgx.ErrNoRows) {
				return "", nil
			}
			if err != nil {
				return "", fmt.Errorf("read setting %s: %w", name, err)
			}
			return v, nil
		},
		Put: func(ctx context.Context, name, value string) error {
			_, err := s.pool.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
			if err != nil {
				return fmt.Errorf("write setting %s: %w", name, err)
			}
			return nil
		},
	}
}

// WidgetSettings implements store.Settings.
func (s *Store) WidgetSettings(ctx context.Context) (store.WidgetSettings, error) {
	return s.settings().Widget(ctx)
}

// SetWidgetSettings implements store.Settings.
func (s *Store) SetWidgetSettings(ctx context.Context, w store.WidgetSettings) error {
	return s.settings().SetWidget(ctx, w)
}
