package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// Settings a supervisor changes at runtime are kept by name, as JSON, in
// one small table: today only the widget's (issue 18).

// Settings reads and writes the widget's settings.
type Settings interface {
	// WidgetSettings returns the widget's settings: the defaults when
	// none were ever set.
	WidgetSettings(ctx context.Context) (WidgetSettings, error)
	// SetWidgetSettings replaces them. ErrInvalid for a value out of
	// range.
	SetWidgetSettings(ctx context.Context, w WidgetSettings) error
}

// WidgetSettings is what the customer's widget asks before a chat.
type WidgetSettings struct {
	// Picker offers the visible teams to choose from when the page names
	// none; off, every chat goes to the general team.
	Picker bool `json:"picker"`
	// Email asks the customer's address before a chat: "off",
	// "optional" or "required". The offline form always asks it,
	// optional.
	Email string `json:"email"`
	// Question asks the customer's first question before a chat; it goes
	// as the chat's first message.
	Question bool `json:"question"`
}

// The pre-chat form's email field (WidgetSettings.Email).
const (
	AskOff      = "off"
	AskOptional = "optional"
	AskRequired = "required"
)

// DefaultWidgetSettings: the picker on, no pre-chat questions, as the
// widget was before its settings.
func DefaultWidgetSettings() WidgetSettings { return WidgetSettings{Picker: true, Email: AskOff} }

// settingWidget is the widget's settings' row name.
const settingWidget = "widget"

// ValidWidgetSettings checks w.
func ValidWidgetSettings(w WidgetSettings) error {
	if !slices.Contains([]string{AskOff, AskOptional, AskRequired}, w.Email) {
		return fmt.Errorf("%w: email must be off, optional or required, not %q", ErrInvalid, w.Email)
	}
	return nil
}

// SettingRow is how both stores read and write one setting, so that the
// JSON and the defaults are here once: Get reads the row's value ("" and
// no error when there is none), Put upserts it.
type SettingRow struct {
	Get func(ctx context.Context, name string) (string, error)
	Put func(ctx context.Context, name, value string) error
}

// Widget reads the widget's settings through r.
func (r SettingRow) Widget(ctx context.Context) (WidgetSettings, error) {
	w := DefaultWidgetSettings()
	v, err := r.Get(ctx, settingWidget)
	if err != nil || v == "" {
		return w, err
	}
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return DefaultWidgetSettings(), fmt.Errorf("widget settings unreadable: %w", err)
	}
	return w, nil
}

// SetWidget checks and writes the widget's settings through r.
func (r SettingRow) SetWidget(ctx context.Context, w WidgetSettings) error {
	if err := ValidWidgetSettings(w); err != nil {
		return err
	}
	v, _ := json.Marshal(w) // a struct of plain fields always marshals
	return r.Put(ctx, settingWidget, string(v))
}
