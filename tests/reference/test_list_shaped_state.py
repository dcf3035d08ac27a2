

def test_a_list_shaped_state_is_not_a_state_for_the_model():  # STATE-7, ERR-2
    model = tied_model(np.random.default_rng(4))
    list_state = setup(Adam(), trainables(model))
    with pytest.raises(TreeError, match=r"model\['enc'\]: the state tree has no entry here"):
        update_(list_state, model, gradient_tree(np.random.default_rng(5)))
